"""Markdown to safe HTML, word-level diffs, and plain text for search."""

import difflib
import html
import re

import markdown
import nh3

_ALLOWED_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "code", "pre",
    "blockquote", "table", "thead", "tbody", "tr", "th", "td", "a", "hr", "br", "del", "ins",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def _markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists"])
    # No raw HTML passes through: it is shown as text, not interpreted.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def render_markdown(body: str) -> str:
    """Sanitised HTML for a version body. nh3 is the second guard after disabling raw HTML."""
    rendered = _markdown().convert(body or "")
    return nh3.clean(
        rendered,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def plain_text(body: str) -> str:
    return re.sub(r"[#*_`>|\-\[\]()]+", " ", body or "")


_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def word_diff(old: str, new: str) -> dict:
    """Side-by-side word-level diff: two HTML strings (escaped) with <del>/<ins>, and counts."""
    a = _TOKEN.findall(old or "")
    b = _TOKEN.findall(new or "")
    left: list[str] = []
    right: list[str] = []
    added = removed = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old_part = html.escape("".join(a[i1:i2]))
        new_part = html.escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(old_part)
            right.append(new_part)
            continue
        if i2 > i1:
            left.append(f"<del>{old_part}</del>")
            removed += sum(1 for t in a[i1:i2] if not t.isspace())
        if j2 > j1:
            right.append(f"<ins>{new_part}</ins>")
            added += sum(1 for t in b[j1:j2] if not t.isspace())
    return {"left": "".join(left), "right": "".join(right), "added": added, "removed": removed}
