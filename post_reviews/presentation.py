"""How a post looks on its platform: text segments with pre-check marks and the "more" fold."""

import re
from urllib.parse import urlsplit

from .platforms import rules_for
from .prechecks import Finding, highlight

URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


def post_card(post) -> dict:
    rules = rules_for(post.account.platform)
    findings = [
        Finding(rule=f["rule"], severity=f["severity"], message=f["message"], spans=tuple(tuple(s) for s in f["spans"]))
        for f in post.prechecks
    ]
    by_rule = {f.rule: f for f in findings}
    fold = rules.fold_at if rules.fold_at and len(post.text) > rules.fold_at else None
    segments = []
    offset = 0
    for text, rule in highlight(post.text, findings):
        end = offset + len(text)
        pieces = [(text, offset)]
        if fold is not None and offset < fold < end:
            cut = fold - offset
            pieces = [(text[:cut], offset), (text[cut:], fold)]
        for piece, start in pieces:
            if fold is not None and start == fold:
                segments.append({"fold": True})
            finding = by_rule.get(rule) if rule else None
            segments.append(
                {
                    "text": piece,
                    "rule": rule,
                    "severity": finding.severity if finding else "",
                    "message": finding.message if finding else "",
                }
            )
        offset = end
    if fold is not None and not any(s.get("fold") for s in segments):
        segments.append({"fold": True})
    links = []
    for match in URL_RE.finditer(post.text):
        url = match.group(0).rstrip(".,;:!?)]}'\"")
        links.append({"url": url, "host": urlsplit(url).hostname or ""})
    return {
        "rules": rules,
        "segments": segments,
        "length": len(post.text),
        "over_limit": len(post.text) > rules.caption_limit,
        "links": links,
        "findings": findings,
        "failed_rules": {f.rule for f in findings},
    }
