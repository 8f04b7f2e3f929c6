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


def checklist_rows(checklist, failed_rules: set[str], submitted: dict | None = None) -> list[dict]:
    """The review form's rows: an item linked to a pre-check rule starts as that rule's result
    (fail if the rule found a problem, else pass); what the reviewer submitted wins."""
    from .models import ItemResult

    rows = []
    for item in checklist.items.all() if checklist is not None else []:
        prefill = ""
        if item.precheck_rule:
            prefill = ItemResult.FAIL if item.precheck_rule in failed_rules else ItemResult.PASS
        rows.append(
            {"item": item, "value": (submitted or {}).get(f"item-{item.pk}", prefill), "prefilled": bool(prefill)}
        )
    return rows


def default_stage(post, *, in_lot: bool) -> str:
    """A published post (or one drawn into a sampling lot) gets a post-publication review."""
    from .models import PostStatus, Stage

    return Stage.POST_PUBLICATION if post.status == PostStatus.PUBLISHED or in_lot else Stage.PRE_PUBLICATION
