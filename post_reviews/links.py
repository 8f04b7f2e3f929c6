"""Finding and parsing the links in a post's text, for the link pre-checks.

Pure functions over strings: which substrings are links (including the malformed ones a reader
would still click), their host as the browser would see it, and whether a host is under a domain.
"""

import ipaddress
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Link:
    start: int
    end: int
    url: str
    host: str | None  # lowercased, without "www." and a trailing dot; None when the link is malformed
    query: str = ""


_URL = re.compile(r"(?<![\w@.+-])https?://[^\s<>\"]*", re.IGNORECASE)
# Near misses of a scheme that can only be a broken link: "https//x", "http:/x", "htps://x".
_BROKEN_SCHEME = re.compile(r"(?<![\w@.+/-])(?:https?(?::/(?!/)|//)|[a-z]{2,6}://)(?=[\w\[])[^\s<>\"]*", re.IGNORECASE)
# Sentence punctuation, ASCII and CJK (the full-width forms are escaped: they look like ASCII).
_TRAILING = ".,;:!?'\"*~…。、\uff0c\uff01\uff1f"
_CLOSERS = {")": "(", "]": "[", "}": "{", ">": "<", "」": "「", "』": "『", "\uff09": "\uff08", "】": "【"}


def _strip_trailing(url: str) -> str:
    """Drop punctuation that ends the sentence rather than the URL; keep balanced brackets (Wikipedia links)."""
    while url:
        last = url[-1]
        if last in _TRAILING or (last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last])):
            url = url[:-1]
        else:
            break
    return url


def _edit_distance_at_most_one(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    # After the first difference, the rest must match with one substitution or one insertion in b.
    return a[i + 1 :] == b[i + 1 :] if len(a) == len(b) else a[i:] == b[i + 1 :]


def _valid_label(label: str) -> bool:
    # Letters, digits and marks of any script (internationalised names), "-" and "_" inside; 1-63 long.
    return (
        0 < len(label) <= 63
        and not label.startswith("-")
        and not label.endswith("-")
        and all(ch in "-_" or unicodedata.category(ch)[0] in "LNM" for ch in label)
    )


def _valid_tld(label: str) -> bool:
    # A top-level domain is letters (any script) or punycode; "example.123" is not a host name.
    if label.startswith("xn--"):
        return len(label) > 4 and label.isascii() and label.replace("-", "").isalnum()
    return len(label) >= 2 and all(unicodedata.category(ch)[0] in "LM" for ch in label)


def _host(url: str) -> tuple[str | None, str]:
    """(normalised host, query) of an http(s) URL, or (None, "") when it does not parse to a valid host."""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        _ = parts.port  # raises ValueError on a non-numeric or out-of-range port
    except ValueError:
        return None, ""
    if not hostname:
        return None, ""
    if parts.netloc.rsplit("@", 1)[-1].startswith("["):
        try:
            ipaddress.IPv6Address(hostname.split("%", 1)[0])
        except ValueError:
            return None, ""
        return hostname, parts.query
    host = hostname.removesuffix(".")
    try:
        ipaddress.IPv4Address(host)
        return host, parts.query
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) < 2 or not all(_valid_label(label) for label in labels) or not _valid_tld(labels[-1]):
        return None, ""
    return host.removeprefix("www."), parts.query


def find_links(text: str) -> list[Link]:
    links = []
    for match in _URL.finditer(text):
        url = _strip_trailing(match.group())
        host, query = _host(url)
        links.append(Link(match.start(), match.start() + len(url), url, host, query))
    taken = [(link.start, link.end) for link in links]
    for match in _BROKEN_SCHEME.finditer(text):
        scheme = match.group().split(":", 1)[0].split("/", 1)[0].lower()
        near_miss = scheme in ("http", "https") or any(_edit_distance_at_most_one(scheme, s) for s in ("http", "https"))
        url = _strip_trailing(match.group())
        end = match.start() + len(url)
        if near_miss and not any(s < end and match.start() < e for s, e in taken):
            links.append(Link(match.start(), end, url, None))
    return sorted(links, key=lambda link: link.start)


def normalise_domain(domain: str) -> str:
    domain = domain.strip().lower()
    domain = re.sub(r"^[a-z][a-z0-9+.-]*://", "", domain).split("/", 1)[0]
    return domain.strip(".").removeprefix("www.")


def host_under(host: str, domains: Sequence[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)
