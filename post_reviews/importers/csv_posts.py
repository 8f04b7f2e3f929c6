"""Our CSV format: UTF-8, a header row naming the columns, a text may span lines inside quotes."""

import csv
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import IO

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from post_reviews.models import PostStatus
from post_reviews.services.content import MAX_COUNTER
from post_reviews.services.posts import PostInput
from post_reviews.workflow import ENGAGEMENT_COUNTERS

from .base import Row, RowError
from .base import file_error as _file_error

COLUMNS = [
    "account", "external_id", "text", "url", "media_type", "media_url", "alt_text",
    "campaign", "sponsored", "status", "scheduled_at", "published_at", "author",
    *ENGAGEMENT_COUNTERS,
]  # fmt: skip
REQUIRED = {"account", "external_id", "text"}
TRUE = {"1", "true", "yes", "y"}
FALSE = {"", "0", "false", "no", "n"}


def _shown(value: str, limit: int = 40) -> str:
    """A value from the file, safe to put in a message: as typed if plain, else escaped."""
    return value if len(value) <= limit and value.isprintable() and "'" not in value else repr(value[:limit])


# --- CSV ---------------------------------------------------------------------------------------


def _decoded_lines(fh: Iterable[bytes], bad_lines: set[int]) -> Iterator[str]:
    """Decode line by line so one bad byte costs one row, not the file."""
    for number, raw in enumerate(fh, start=1):
        if number == 1 and raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise _file_error("The file is UTF-16 text: save it as CSV UTF-8 (comma delimited).")
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            bad_lines.add(number)
            yield raw.decode("utf-8", errors="replace")


def _csv_error(exc: csv.Error) -> str:
    if "field limit" in str(exc):
        return f"A field is longer than {csv.field_size_limit():,} characters."
    return f"Not valid CSV: {exc}."


def _records(fh: Iterable[bytes], bad_lines: set[int]) -> Iterator[tuple[int, int, list[str] | None, str]]:
    """(first line, last line, values or None, csv error) per record; blank records left out."""
    reader = csv.reader(_decoded_lines(fh, bad_lines), strict=False)
    start = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, reader.line_num, None, _csv_error(exc)
        else:
            if any(v.strip() for v in values):
                yield start, reader.line_num, values, ""
        start = reader.line_num + 1


def csv_count_records(fh: IO[bytes]) -> int:
    """How many rows `csv_rows` will report, counting records (a quoted text may span lines)."""
    return max(0, sum(1 for _ in _records(fh, set())) - 1)


def csv_rows(fh: IO[bytes], account_ids: Mapping[str, int | None]) -> Iterator[Row]:
    """Our CSV format. ``account_ids`` maps `handle` and `platform:handle` (lower case) to the
    team's account id; None marks a handle the team has on several platforms."""
    bad_lines: set[int] = set()
    records = _records(fh, bad_lines)
    first = next(records, None)
    if first is None:
        raise _file_error("The file is empty.")
    _, end, header_values, error = first
    if header_values is None:
        raise _file_error(f"Line 1 (header): {error}")
    if any(n in bad_lines for n in range(1, end + 1)):
        raise _file_error("Line 1 (header) is not valid UTF-8 text: save the file as CSV UTF-8.")
    header = _header(header_values)
    for line, end, values, error in records:
        if values is None:
            yield line, None, error
        elif any(n in bad_lines for n in range(line, end + 1)):
            yield line, None, "Not valid UTF-8 text (save the file as UTF-8)."
        elif len(values) != len(header):
            yield line, None, f"Expected {len(header)} columns, found {len(values)}."
        else:
            try:
                account_id, data = _row_to_post(dict(zip(header, values, strict=True)), account_ids)
            except RowError as exc:
                yield line, None, str(exc)
            else:
                yield line, data, account_id


def _header(values: list[str]) -> list[str]:
    header = [h.strip().lower() for h in values]
    missing = REQUIRED - set(header)
    unknown = set(header) - set(COLUMNS)
    repeated = {h for h in header if header.count(h) > 1} - unknown
    parts = []
    if missing:
        parts.append(f"missing column(s) {', '.join(sorted(missing))}")
    if unknown:
        shown = [_shown(h) for h in sorted(unknown)[:10]]
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        parts.append(f"unknown column(s) {', '.join(shown)}{more}")
    if repeated:
        parts.append(f"repeated column(s) {', '.join(sorted(repeated))}")
    if parts:
        raise _file_error(f"Line 1 (header): {'; '.join(parts)}. Expected: {', '.join(COLUMNS)}.")
    return header


def _parse_when(value: str, column: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise RowError(f"{column}: {value[:40]!r} is not a date-time (use ISO 8601, e.g. 2026-11-23T09:30:00Z).")
    try:
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        # Stored in UTC: Python accepts offsets (+16:00, seconds) and years PostgreSQL refuses.
        parsed = parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        raise RowError(f"{column}: {value[:40]!r} is out of range.") from None
    if parsed.year < 1900:
        raise RowError(f"{column}: {value[:40]!r} is out of range.")
    return parsed


def _parse_count(value: str, column: str) -> int | None:
    """An engagement counter: empty (not reported, a stored value stays) or a whole number from 0."""
    value = value.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 19 or int(value) > MAX_COUNTER:
        raise RowError(f"{column}: {_shown(value, 20)} is not a whole number from 0 (leave it empty if unknown).")
    return int(value)


def _row_to_post(row: dict[str, str], account_ids: Mapping[str, int | None]) -> tuple[int, PostInput]:
    key = row["account"].strip().lstrip("@").lower()
    if ":" in key:
        platform, _, handle = key.partition(":")
        key = f"{platform}:{handle.lstrip('@')}"
    account_id = account_ids.get(key)
    if account_id is None:
        shown = repr(row["account"].strip()[:60])
        if key in account_ids:
            raise RowError(f"Account {shown} is on several platforms: write it as platform:handle.")
        raise RowError(f"Unknown account {shown} (not one of the team's social accounts).")
    sponsored = row.get("sponsored", "").strip().lower()
    if sponsored not in TRUE | FALSE:
        raise RowError(f"sponsored: {sponsored[:20]!r} is not yes/no.")
    status = row.get("status", "").strip().lower() or PostStatus.PUBLISHED
    media = []
    media_urls = [u.strip() for u in row.get("media_url", "").split("|")] if row.get("media_url", "").strip() else []
    if media_urls:
        types = [t.strip().lower() for t in row.get("media_type", "").split("|")]
        alts = [a.strip() for a in row.get("alt_text", "").split("|")]
        for i, media_url in enumerate(media_urls):
            media.append(
                {
                    "type": types[i] if i < len(types) and types[i] else "image",
                    "url": media_url,
                    "alt_text": alts[i] if i < len(alts) else "",
                }
            )
    data = PostInput(
        external_id=row["external_id"].strip(),
        text=row["text"],
        url=row.get("url", "").strip(),
        media=media,
        campaign=row.get("campaign", "").strip(),
        sponsored=sponsored in TRUE,
        status=status,
        scheduled_at=_parse_when(row.get("scheduled_at", ""), "scheduled_at"),
        published_at=_parse_when(row.get("published_at", ""), "published_at"),
        author_name=row.get("author", "").strip(),
        **{c: _parse_count(row.get(c, ""), c) for c in ENGAGEMENT_COUNTERS},
    )
    errors = data.errors()
    if errors:
        raise RowError(" ".join(errors.values()))
    return account_id, data
