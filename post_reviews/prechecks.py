"""Automatic pre-checks of a post before a human reviews it.

Pure functions over plain values (no database): the app loads the post and the team's `RuleConfig`
and calls `run_prechecks`; the findings pre-fill the review checklist, and `highlight` splits the text
so a template can mark the flagged parts.

All offsets are indices into the Python string (Unicode code points), so they slice `text` directly.
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs

from post_reviews.links import Link, find_links, host_under, normalise_domain
from post_reviews.platforms import PlatformRules, label_for, rules_for

CRITICAL, MAJOR, MINOR = "critical", "major", "minor"
SEVERITY_RANK = {CRITICAL: 0, MAJOR: 1, MINOR: 2}

RULE_IDS: tuple[str, ...] = (
    "disclosure-missing",
    "disclosure-below-fold",
    "alt-text-missing",
    "over-length",
    "too-many-hashtags",
    "banned-term",
    "restricted-term",
    "domain-not-allowed",
    "utm-missing",
    "malformed-url",
)

RULE_INFO: dict[str, tuple[str, str]] = {
    "disclosure-missing": (CRITICAL, "A sponsored post carries no disclosure (#ad, #sponsored, ...)."),
    "disclosure-below-fold": (MAJOR, 'The disclosure only appears below the platform\'s "more" fold.'),
    "alt-text-missing": (MAJOR, "An image or video has no alt text where the platform supports it."),
    "over-length": (MAJOR, "The text is longer than the platform allows."),
    "too-many-hashtags": (MINOR, "More hashtags than the platform allows."),
    "banned-term": (CRITICAL, "The text uses a term the brand guide bans."),
    "restricted-term": (MINOR, "The text uses a term the brand guide restricts; a reviewer checks the use."),
    "domain-not-allowed": (MAJOR, "A link points outside the team's allowed domains."),
    "utm-missing": (MINOR, "A link to a tracked domain lacks utm_source, utm_medium or utm_campaign."),
    "malformed-url": (MAJOR, "A link is malformed and will not open."),
}

UTM_PARAMS = ("utm_source", "utm_medium", "utm_campaign")
_TUPLE_FIELDS = ("disclosure_tokens", "banned_terms", "restricted_terms", "allowed_domains", "utm_required_domains")


@dataclass(frozen=True)
class RuleConfig:
    """A team's pre-check settings. Lists are accepted and stored as tuples, so a config stays hashable."""

    enabled: frozenset[str] = frozenset(RULE_IDS)  # rule ids switched on
    disclosure_tokens: tuple[str, ...] = ("#ad", "#sponsored", "paid partnership")
    banned_terms: tuple[str, ...] = ()  # a post containing one fails (severity critical)
    restricted_terms: tuple[str, ...] = ()  # a post containing one is flagged (severity minor) for review
    allowed_domains: tuple[str, ...] = ()  # empty = any domain allowed; subdomains of an allowed domain are allowed
    utm_required_domains: tuple[str, ...] = ()  # links to these domains (or subdomains) must carry the UTM params

    def __post_init__(self) -> None:
        enabled = frozenset(self.enabled)
        unknown = sorted(enabled - set(RULE_IDS))
        if unknown:
            # A typo in a stored config would otherwise switch a check off without anyone noticing.
            raise ValueError(f"Unknown pre-check rule id(s): {', '.join(unknown)}")
        object.__setattr__(self, "enabled", enabled)
        for name in _TUPLE_FIELDS:
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @classmethod
    def default(cls) -> "RuleConfig":
        return cls()


@dataclass(frozen=True)
class Finding:
    rule: str  # stable id, one of RULE_IDS
    severity: str  # "critical" | "major" | "minor"
    message: str  # what is wrong and what to do about it
    spans: tuple[tuple[int, int], ...] = ()  # [start, end) offsets in the post text to highlight


@dataclass(frozen=True)
class Media:
    type: str  # "image" | "video" | other
    url: str = ""
    alt_text: str = ""


def run_prechecks(
    *, text: str, platform: str, media: Sequence[Media], sponsored: bool, config: RuleConfig
) -> list[Finding]:
    """Run the enabled rules on one post; KeyError for an unknown platform.

    Findings are sorted by severity (critical first), then by where they start in the text (findings
    about the whole post, without a span, come first), then by rule id.
    """
    rules = rules_for(platform)
    name = label_for(platform)
    links = find_links(text)
    link_spans = [(link.start, link.end) for link in links]
    on = config.enabled
    findings: list[Finding] = []

    if "disclosure-missing" in on or "disclosure-below-fold" in on:
        findings += _check_disclosure(text, link_spans, sponsored, rules, name, config)
    if "alt-text-missing" in on and rules.alt_text_supported:
        findings += _check_alt_text(media)
    if "over-length" in on:
        findings += _check_length(text, rules, name)
    if "too-many-hashtags" in on and rules.hashtag_limit is not None:
        findings += _check_hashtags(text, link_spans, rules.hashtag_limit, name)
    if "banned-term" in on:
        findings += _check_terms(text, config.banned_terms, "banned-term")
    if "restricted-term" in on:
        findings += _check_terms(text, config.restricted_terms, "restricted-term")
    findings += _check_links(links, on, config)

    return sorted(findings, key=lambda f: (SEVERITY_RANK[f.severity], f.spans[0][0] if f.spans else -1, f.rule))


def highlight(text: str, findings: Sequence[Finding]) -> list[tuple[str, str | None]]:
    """Split `text` into consecutive (segment, rule id or None) pieces that join back to `text`.

    Where spans overlap, the earlier finding in `findings` keeps the characters; spans reaching past
    the text are clipped.
    """
    owner: list[str | None] = [None] * len(text)
    for finding in findings:
        for start, end in finding.spans:
            for i in range(max(start, 0), min(end, len(text))):
                if owner[i] is None:
                    owner[i] = finding.rule
    segments: list[tuple[str, str | None]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or owner[i] != owner[start]:
            segments.append((text[start:i], owner[start]))
            start = i
    return segments


# --- disclosure -------------------------------------------------------------------------------------


def _check_disclosure(
    text: str,
    link_spans: list[tuple[int, int]],
    sponsored: bool,
    rules: PlatformRules,
    name: str,
    config: RuleConfig,
) -> list[Finding]:
    tokens = [t.strip() for t in config.disclosure_tokens if t.strip()]
    if not sponsored or not tokens:
        return []
    hashtags = _hashtags(text, link_spans)
    found: list[tuple[int, int, str]] = []
    for token in tokens:
        if token.startswith("#"):
            # A hashtag token matches a whole hashtag only: "#ad" is not "#adventure" or "#ad_free".
            wanted = token[1:].casefold()
            found += [(s, e, token) for s, e in hashtags if text[s + 1 : e].casefold() == wanted]
        else:
            found += [(s, e, token) for s, e in _phrase_spans(text, token) if not _inside(s, e, link_spans)]
    found.sort()

    if not found:
        if "disclosure-missing" not in config.enabled:
            return []
        listed = ", ".join(t if t.startswith("#") else f'"{t}"' for t in tokens)
        return [
            _finding("disclosure-missing", f"Sponsored post without a disclosure: add one of {listed}."),
        ]
    fold = rules.fold_at
    if "disclosure-below-fold" in config.enabled and fold is not None and all(s >= fold for s, _, _ in found):
        first = found[0][2]
        return [
            _finding(
                "disclosure-below-fold",
                f'The disclosure "{first}" only appears after the first {fold} characters, hidden behind '
                f'{name}\'s "more": move it into the opening line.',
                [(s, e) for s, e, _ in found],
            )
        ]
    return []


# --- media, length, hashtags ------------------------------------------------------------------------


def _check_alt_text(media: Sequence[Media]) -> list[Finding]:
    findings = []
    for number, item in enumerate(media, start=1):
        kind = (item.type or "").strip().lower()
        if kind in ("image", "video") and not (item.alt_text or "").strip():
            findings.append(
                _finding(
                    "alt-text-missing",
                    f"Media item {number} ({kind}) has no alt text: describe it for people using screen readers.",
                )
            )
    return findings


def _check_length(text: str, rules: PlatformRules, name: str) -> list[Finding]:
    # len() counts code points. Bluesky counts graphemes and X weighs some characters double, so an
    # emoji sequence may count more here than on the platform: the check errs on the strict side.
    limit = rules.caption_limit
    if len(text) <= limit:
        return []
    over = len(text) - limit
    return [
        _finding(
            "over-length",
            f"The text has {len(text):,} characters; {name} allows {limit:,}: cut at least {over:,}.",
            [(limit, len(text))],
        )
    ]


def _check_hashtags(text: str, link_spans: list[tuple[int, int]], limit: int, name: str) -> list[Finding]:
    tags = _hashtags(text, link_spans)
    if len(tags) <= limit:
        return []
    extra = len(tags) - limit
    return [
        _finding(
            "too-many-hashtags",
            f"{len(tags)} hashtags; {name} allows {limit}: remove at least {extra}.",
            tags[limit:],
        )
    ]


def _is_tag_char(ch: str) -> bool:
    # Letters, digits and marks of any script (marks keep Devanagari or Thai tags whole), plus "_".
    return ch == "_" or unicodedata.category(ch)[0] in "LNM"


def _hashtags(text: str, link_spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of the hashtags in `text`, "#" included, skipping any inside a link."""
    spans = []
    for match in re.finditer("#", text):
        start = match.start()
        # "a#b" and "&#39;" are not hashtags: the "#" must not follow a word character or "&".
        if start > 0 and (_is_tag_char(text[start - 1]) or text[start - 1] in "&#"):
            continue
        end = start + 1
        while end < len(text) and _is_tag_char(text[end]):
            end += 1
        body = text[start + 1 : end]
        # The platforms do not link an all-digit tag ("#1 in sales"), so it is not a hashtag.
        if not body or body.isdigit() or _inside(start, end, link_spans):
            continue
        spans.append((start, end))
    return spans


# --- terms ------------------------------------------------------------------------------------------


def _phrase_spans(text: str, phrase: str) -> list[tuple[int, int]]:
    """Case-insensitive whole-word (or whole-phrase) matches; any run of whitespace matches a space."""
    words = phrase.split()
    if not words:
        return []
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
    return [m.span() for m in re.finditer(pattern, text, flags=re.IGNORECASE)]


def _check_terms(text: str, terms: Sequence[str], rule: str) -> list[Finding]:
    findings = []
    seen: set[str] = set()
    for raw in terms:
        term = " ".join(raw.split())
        key = term.casefold()
        if not term or key in seen:
            continue
        seen.add(key)
        spans = _phrase_spans(text, term)
        if not spans:
            continue
        times = f" ({len(spans)} times)" if len(spans) > 1 else ""
        if rule == "banned-term":
            message = f'Banned term "{term}"{times}: remove it; the brand guide does not allow it.'
        else:
            message = f'Restricted term "{term}"{times}: check the brand guide allows this use.'
        findings.append(_finding(rule, message, spans))
    return findings


# --- links ------------------------------------------------------------------------------------------


# An http(s) link runs to the next whitespace or character that cannot be in a URL.
def _check_links(links: list[Link], on: frozenset[str], config: RuleConfig) -> list[Finding]:
    findings = []
    allowed = [d for d in map(normalise_domain, config.allowed_domains) if d]
    tracked = [d for d in map(normalise_domain, config.utm_required_domains) if d]
    not_allowed: dict[str, list[tuple[int, int]]] = {}

    for link in links:
        span = (link.start, link.end)
        if link.host is None:
            if "malformed-url" in on:
                findings.append(
                    _finding("malformed-url", f'Malformed link "{link.url}": fix the address so it opens.', [span])
                )
            continue
        if allowed and not host_under(link.host, allowed):
            not_allowed.setdefault(link.host, []).append(span)
        if "utm-missing" in on and host_under(link.host, tracked):
            params = parse_qs(link.query, keep_blank_values=True)
            missing = [p for p in UTM_PARAMS if not any(v.strip() for v in params.get(p, []))]
            if missing:
                findings.append(
                    _finding(
                        "utm-missing",
                        f"The link to {link.host} lacks {', '.join(missing)}: add them so the campaign is tracked.",
                        [span],
                    )
                )

    if "domain-not-allowed" in on:
        for host, spans in not_allowed.items():
            findings.append(
                _finding(
                    "domain-not-allowed",
                    f"The link to {host} is outside the allowed domains ({', '.join(allowed)}): "
                    "link to an allowed site or ask QA to allow this one.",
                    spans,
                )
            )
    return findings


# --- helpers ----------------------------------------------------------------------------------------


def _finding(rule: str, message: str, spans: Sequence[tuple[int, int]] = ()) -> Finding:
    return Finding(rule=rule, severity=RULE_INFO[rule][0], message=message, spans=tuple(sorted(spans)))


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)
