"""The X archive's data/tweets.js: `window.YTD.tweets.part0 = [{"tweet": {...}}, ...]`."""

import json
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from post_reviews.models import PostStatus
from post_reviews.services.posts import PostInput

from .base import MAX_TEXT, Row, RowError
from .base import file_error as _file_error

MAX_ID_DIGITS = 20  # X ids are 64-bit numbers
MAX_LIST = 100  # links or media in one tweet (X allows 4 media and a handful of links)
_X_PREFIX = re.compile(rb"(?:\xef\xbb\xbf)?\s*window\.YTD\.tweets?\.part\d+\s*=\s*")
_X_DATE = "%a %b %d %H:%M:%S %z %Y"
_X_MEDIA = {"photo": "image", "video": "video", "animated_gif": "gif"}
_WS = re.compile(r"[ \t\n\r]*")
# A JSON string (taken whole, so brackets inside it don't count) or a bracket. Unrolled so an
# unclosed string can't make the regex backtrack.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_ID = re.compile(rf"[0-9]{{1,{MAX_ID_DIGITS}}}")
_COUNT = re.compile(r"[0-9]{1,19}")
# The engagement an archive's tweet carries (the archive writes the counts as digit strings), by
# our counter: the first key present wins. An archive has no reach, saves or video views.
_X_COUNTS = {
    "likes": ("favorite_count",),
    "shares": ("retweet_count",),
    "comments": ("reply_count",),
    "saves": ("bookmark_count",),
    "impressions": ("impression_count", "view_count"),
}


class _LongNumber:
    """A JSON integer too long to be any value of ours. Python refuses to convert more than 4,300
    digits (a ValueError from inside json), so the digits are only counted."""

    __slots__ = ("digits",)

    def __init__(self, digits: int):
        self.digits = digits


class _Bad:
    """An entry that could not be decoded, with the reason; the entries around it still import."""

    __slots__ = ("reason",)

    def __init__(self, reason: str):
        self.reason = reason


def _int(digits: str) -> int | _LongNumber:
    return int(digits) if len(digits) <= 2 * MAX_ID_DIGITS else _LongNumber(len(digits.lstrip("-")))


_DECODER = json.JSONDecoder(parse_int=_int)


def x_archive_entries(raw: bytes) -> list[Any]:
    """The entries of data/tweets.js (`window.YTD.tweets.part0 = [{"tweet": {...}}, ...]`).

    The list is read one entry at a time, so an entry nested too deeply for Python's json
    (RecursionError) is a bad entry and the others still import. What can't be read at the top
    level (not UTF-8, no prefix, not a list, broken JSON between entries) fails the whole file.
    """
    match = _X_PREFIX.match(raw)
    if match is None:
        raise _file_error("Not an X archive tweets.js file (it starts with 'window.YTD.tweets.part0 =').")
    try:
        text = raw[match.end() :].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _file_error(f"The archive is not UTF-8 text (byte {match.end() + exc.start:,}).") from None
    i = 0
    if text[i : i + 1] != "[":
        raise _file_error("The archive should hold a list of tweets.")
    entries: list[Any] = []
    i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
    if text[i : i + 1] == "]":
        i += 1
    else:
        while True:
            value, i = _decode_entry(text, i, len(entries) + 1)
            entries.append(value)
            i = _WS.match(text, i).end()  # type: ignore[union-attr]
            separator = text[i : i + 1]
            if separator not in (",", "]"):
                raise _file_error(
                    f"The archive is not valid JSON after tweet {len(entries)}: expected ',' or ']' at character {i:,}."
                )
            i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
            if separator == "]":
                break
    if text[i:].strip() not in ("", ";"):
        raise _file_error(f"Unexpected text after the list of tweets (character {i:,}).")
    return entries


def _decode_entry(text: str, i: int, number: int) -> tuple[Any, int]:
    try:
        return _DECODER.raw_decode(text, i)
    except RecursionError:
        end = _skip_value(text, i)
        if end is None:
            raise _file_error(
                f"Tweet {number} is nested too deeply and never closed: the archive can't be read."
            ) from None
        return _Bad(f"The entry is nested too deeply (more than {sys.getrecursionlimit():,} levels)."), end
    except ValueError as exc:  # json.JSONDecodeError
        detail = f"{exc.msg} (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise _file_error(f"The archive is not valid JSON at tweet {number}: {detail or 'unreadable value'}.") from None


def _skip_value(text: str, i: int) -> int | None:
    """The end of the array or object starting at i, by counting brackets outside strings."""
    depth = 0
    for token in _TOKEN.finditer(text, i):
        char = text[token.start()]
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth <= 0:
                return token.end()
    return None


def x_archive_rows(entries: list[Any], *, account_id: int, handle: str) -> Iterator[Row]:
    """One row per entry of `x_archive_entries`, numbered by position from 1."""
    for number, entry in enumerate(entries, start=1):
        try:
            yield number, _entry_to_post(entry, handle), account_id
        except RowError as exc:
            yield number, None, str(exc)


_SHAPES: dict[type, str] = {str: "text", list: "a list", dict: "an object"}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float | _LongNumber):
        return "a number"
    return _SHAPES.get(type(value), type(value).__name__)


def _get(obj: dict, key: str, expected: type, where: str, default: Any) -> Any:
    """obj[key] if it has the expected type, the default if missing or null; else a bad row."""
    value: Any = obj.get(key)
    if value is None:
        return default
    if not isinstance(value, expected) or isinstance(value, bool):
        raise RowError(f"{where}{key} is {_kind(value)}, not {_SHAPES[expected]}.")
    if isinstance(value, list) and len(value) > MAX_LIST:
        raise RowError(f"{where}{key} has {len(value):,} entries; at most {MAX_LIST} are read.")
    return value


def _entry_to_post(entry: Any, handle: str) -> PostInput:
    if isinstance(entry, _Bad):
        raise RowError(entry.reason)
    if not isinstance(entry, dict):
        raise RowError(f"The entry is {_kind(entry)}, not a tweet object.")
    if "tweet" in entry:
        tweet = _get(entry, "tweet", dict, "", None)
        if tweet is None:
            raise RowError("The entry's tweet is null.")
    elif "id_str" in entry or "id" in entry:
        tweet = entry  # older archives list the tweets themselves
    else:
        raise RowError('The entry has no "tweet" object.')
    tweet_id = _tweet_id(tweet)
    created_at = tweet.get("created_at")
    if not isinstance(created_at, str):
        raise RowError(f"created_at is {_kind(created_at)}, not an X date (like 'Wed Oct 10 20:19:24 +0000 2018').")
    try:
        published = datetime.strptime(created_at, _X_DATE).astimezone(UTC)
    except (ValueError, OverflowError):
        raise RowError(f"created_at {created_at[:40]!r} is not an X date.") from None
    if published.year < 1900:
        raise RowError(f"created_at {created_at[:40]!r} is out of range.")
    text = _get(tweet, "full_text", str, "", None)
    if text is None:
        text = _get(tweet, "text", str, "", "")
    if len(text) > MAX_TEXT:
        raise RowError(f"The text is longer than {MAX_TEXT:,} characters.")
    entities = _get(tweet, "entities", dict, "", {})
    extended = _get(tweet, "extended_entities", dict, "", {})
    where = "extended_entities." if extended else "entities."
    media = []
    for n, m in enumerate(_get(extended or entities, "media", list, where, []), start=1):
        at = f"{where}media[{n}]."
        if not isinstance(m, dict):
            raise RowError(f"{at[:-1]} is {_kind(m)}, not an object.")
        kind = _X_MEDIA.get(_get(m, "type", str, at, "photo"), "image")
        url = _get(m, "media_url_https", str, at, "")
        alt_text = _get(m, "ext_alt_text", str, at, "")
        media.append({"type": kind, "url": url, "alt_text": alt_text})
    # X shortens links to t.co in the text; put the real destinations back so link rules see them.
    for n, u in enumerate(_get(entities, "urls", list, "entities.", []), start=1):
        at = f"entities.urls[{n}]."
        if not isinstance(u, dict):
            raise RowError(f"{at[:-1]} is {_kind(u)}, not an object.")
        short, expanded = _get(u, "url", str, at, ""), _get(u, "expanded_url", str, at, "")
        if short and expanded:
            text = text.replace(short, expanded)
    data = PostInput(
        **_counts(tweet),
        external_id=tweet_id,
        text=text,
        url=f"https://x.com/{handle}/status/{tweet_id}",
        media=media,
        status=PostStatus.PUBLISHED,
        published_at=published,
        sponsored=False,
    )
    errors = data.errors()
    if errors:
        raise RowError(" ".join(errors.values()))
    return data


def _tweet_id(tweet: dict) -> str:
    for key in ("id_str", "id"):
        value = tweet.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, _LongNumber):
            raise RowError(f"{key} has {value.digits:,} digits; X ids have at most {MAX_ID_DIGITS}.")
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise RowError(f"{key} is {_kind(value)}, not a tweet id.")
        digits = str(value).strip()
        if _ID.fullmatch(digits):
            return digits
        if digits.isascii() and digits.isdigit():
            raise RowError(f"{key} has {len(digits):,} digits; X ids have at most {MAX_ID_DIGITS}.")
        raise RowError(f"{key} {digits[:30]!r} is not a tweet id (the digits of an X id).")
    raise RowError("The tweet has no id_str.")


def _counts(tweet: dict) -> dict[str, int]:
    counts = {}
    for counter, keys in _X_COUNTS.items():
        for key in keys:
            value = tweet.get(key)
            if value is None or value == "":
                continue
            if isinstance(value, _LongNumber):
                raise RowError(f"{key} has {value.digits:,} digits: not a count.")
            digits = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else None
            if digits is None or not _COUNT.fullmatch(digits) or int(digits) > 2**63 - 1:
                shown = repr(digits[:20]) if digits is not None else _kind(value)
                raise RowError(f"{key} {shown} is not a whole number from 0.")
            counts[counter] = int(digits)
            break
    return counts
