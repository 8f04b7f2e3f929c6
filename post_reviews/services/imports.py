"""Imports: our CSV format and the X archive's tweets.js, streamed, bad rows reported by line.

A file is read in batches: each good row is upserted (idempotent on account + external id),
each bad row is recorded with its line number and reason, and nothing of a bad row is written.
"""

import contextlib
import csv
import json
import logging
import queue
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import User
from accounts.permissions import can_view_team
from core.exceptions import NotFound, PermissionDenied, ValidationError
from post_reviews import permissions as perms
from post_reviews.models import ImportRun, ImportStatus, PostStatus, SocialAccount, Source
from post_reviews.tasks import posts_precheck_many

from .bulk_pg import copy_line, posts_copy_upsert
from .posts import PostInput, posts_upsert_batch

logger = logging.getLogger(__name__)

COLUMNS = [
    "account", "external_id", "text", "url", "media_type", "media_url", "alt_text",
    "campaign", "sponsored", "status", "scheduled_at", "published_at", "author",
]  # fmt: skip
REQUIRED = {"account", "external_id", "text"}
BATCH = 10_000
MAX_ERRORS_KEPT = 1000
TRUE = {"1", "true", "yes", "y"}
FALSE = {"", "0", "false", "no", "n"}


class RowError(Exception):
    pass


# --- creating a run ----------------------------------------------------------------------------


def import_run_create(
    *, team_id: int, upload: UploadedFile, kind: str, by: User, account_id: int | None = None
) -> ImportRun:
    """Store the uploaded file and queue the import. Small files run at once in the worker too:
    the page shows the progress either way."""
    if not can_view_team(by, team_id):
        raise NotFound("No such team.")
    if not perms.can_manage_posts(by, team_id):
        raise PermissionDenied("Your role can't import posts.")
    if kind not in ("csv", "x_archive"):
        raise ValidationError({"kind": "Choose CSV or X archive (tweets.js)."})
    if upload.size and upload.size > settings.QMS_IMPORT_MAX_BYTES:
        raise ValidationError({"file": f"The file is larger than {settings.QMS_IMPORT_MAX_BYTES // 2**20} MB."})
    message = ""
    if kind == "x_archive":
        account = SocialAccount.objects.filter(pk=account_id or 0, team_id=team_id, platform="x").first()
        if account is None:
            raise ValidationError({"account": "Choose the team's X account the archive belongs to."})
        message = f"account:{account.pk}"
    run = ImportRun(
        team_id=team_id, uploaded_by=by, kind=kind, original_name=(upload.name or "upload")[:255], message=message
    )
    run.file.save(f"import-{kind}", upload, save=False)
    run.save()
    from post_reviews.tasks import import_run_execute as task

    transaction.on_commit(lambda: task.delay(run.pk))
    return run


# --- running it --------------------------------------------------------------------------------


def import_run_execute(*, import_run_id: int) -> ImportRun | None:
    """Worker side. Idempotent: a finished run is left alone; a re-run after a crash re-reads the
    file and upserts again, which changes nothing for rows already in."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().filter(pk=import_run_id).first()
        if run is None or run.status == ImportStatus.DONE:
            return run
        run.status = ImportStatus.RUNNING
        run.started_at = timezone.now()
        run.rows_done = run.created_count = run.updated_count = run.unchanged_count = run.error_count = 0
        run.errors = []
        run.save()
    by = run.uploaded_by
    accounts = _accounts_of(run.team_id)
    try:
        with run.file.open("rb") as fh:
            if run.kind == "csv":
                run.rows_total = _count_lines(fh)
                fh.seek(0)
                rows = _csv_rows(fh, accounts)
            else:
                account = accounts["by_id"][int(run.message.split(":")[1])]
                rows = _x_archive_rows(fh, account)
            _consume(run, rows, accounts, by)
    except ValidationError as exc:
        run.status = ImportStatus.FAILED
        run.message = " ".join(m for msgs in exc.errors.values() for m in msgs)
    except DatabaseError:
        # A batch the database refused (a deadlock with another import, say) fails the run
        # visibly instead of leaving it "running"; the batches before it stay imported.
        logger.exception("Import run %s: a batch was refused by the database", run.pk)
        run.status = ImportStatus.FAILED
        run.message = f"The database refused a batch after {run.rows_done} rows; import the file again."
    else:
        run.status = ImportStatus.DONE
        run.message = ""
    run.finished_at = timezone.now()
    run.save()
    return run


def _accounts_of(team_id: int) -> dict:
    accounts = list(SocialAccount.objects.filter(team_id=team_id))
    by_key = {}
    for a in accounts:
        by_key[a.handle.lower()] = a if a.handle.lower() not in by_key else None  # ambiguous across platforms
        by_key[f"{a.platform}:{a.handle.lower()}"] = a
    return {"by_key": by_key, "by_id": {a.pk: a for a in accounts}}


def _count_lines(fh) -> int:
    return max(0, sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1)


@dataclass
class _Batch:
    items: list  # COPY lines (PostgreSQL) or (account id, PostInput) pairs (the ORM path), one per post
    duplicates: int  # later rows of a post already in the batch: skipped, counted as unchanged
    errors: list[dict] = field(default_factory=list)


def _batches(rows: Iterator[tuple[int, PostInput | None, int | str]], accounts: dict, fast: bool) -> Iterator[_Batch]:
    """Group parsed rows into batches; on PostgreSQL each good row is already a line of COPY text."""
    items: list = []
    keys: set[tuple[int, str]] = set()
    errors: list[dict] = []
    duplicates = 0
    for line, data, account in rows:
        if data is None:
            errors.append({"line": line, "reason": account})
        elif (account, data.external_id) in keys:
            duplicates += 1  # the first row of a post in a batch wins; a later batch may update it
        else:
            keys.add((account, data.external_id))
            if fast:
                items.append(copy_line(account, accounts["by_id"][account].team_id, data))
            else:
                items.append((account, data))
        if len(items) + duplicates >= BATCH or len(errors) >= BATCH:
            yield _Batch(items, duplicates, errors)
            items, keys, errors, duplicates = [], set(), [], 0
    yield _Batch(items, duplicates, errors)


class _Prefetch:
    """Run an iterator in a background thread, a bounded number of results ahead.

    Parsing a file is Python work and writing a batch is mostly waiting for PostgreSQL, so the
    next batch is parsed while the database writes the current one. The queue holds at most
    ``depth`` batches: memory stays flat whatever the file's size. Only the consuming thread
    touches the database. An exception in the parser is raised in the consumer.
    """

    def __init__(self, iterator: Iterator, depth: int = 2):
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, args=(iterator,), daemon=True, name="import-parser")

    def _work(self, iterator: Iterator) -> None:
        try:
            for item in iterator:
                if self._stop.is_set():
                    return
                self._queue.put((True, item))
        except BaseException as exc:  # handed to the consumer, which raises it
            self._queue.put((False, exc))
        else:
            self._queue.put((False, None))

    def __enter__(self) -> Iterator:
        self._thread.start()
        return self._results()

    def _results(self) -> Iterator:
        while True:
            ok, value = self._queue.get()
            if ok:
                yield value
            elif value is None:
                return
            else:
                raise value

    def __exit__(self, *exc_info) -> None:
        # The consumer may stop early (a database error): unblock the parser and wait for it, so
        # it never reads a file that is about to be closed.
        self._stop.set()
        while self._thread.is_alive():
            with contextlib.suppress(queue.Empty):
                self._queue.get(timeout=0.05)
        self._thread.join()


def _consume(run: ImportRun, rows: Iterator[tuple[int, PostInput | None, int | str]], accounts: dict, by: User) -> None:
    fast = connection.vendor == "postgresql"
    with _Prefetch(_batches(rows, accounts, fast)) as batches:
        for batch in batches:
            if batch.items and fast:
                result = posts_copy_upsert(lines=batch.items, source=_source(run), by=by)
                run.created_count += len(result["created"])
                run.updated_count += len(result["updated"])
                run.unchanged_count += len(batch.items) - len(result["created"]) - len(result["updated"])
                to_check = result["created"] + result["content_changed"]
                for start in range(0, len(to_check), 2000):
                    posts_precheck_many.delay(to_check[start : start + 2000])
            elif batch.items:
                result = posts_upsert_batch(
                    account_by_id=accounts["by_id"], items=batch.items, source=_source(run), by=by
                )
                run.created_count += len(result["created"])
                run.updated_count += len(result["updated"])
                run.unchanged_count += len(result["unchanged"])
            run.unchanged_count += batch.duplicates
            run.rows_done += len(batch.items) + batch.duplicates + len(batch.errors)
            run.error_count += len(batch.errors)
            room = MAX_ERRORS_KEPT - len(run.errors)
            run.errors.extend(batch.errors[: max(0, room)])
            ImportRun.objects.filter(pk=run.pk).update(
                rows_done=run.rows_done,
                rows_total=max(run.rows_total, run.rows_done),
                created_count=run.created_count,
                updated_count=run.updated_count,
                unchanged_count=run.unchanged_count,
                error_count=run.error_count,
                errors=run.errors,
            )


def _source(run: ImportRun) -> str:
    return Source.CSV if run.kind == "csv" else Source.PLATFORM_EXPORT


def _decoded_lines(fh, bad_lines: set[int]) -> Iterator[str]:
    """Decode line by line so one bad byte costs one row, not the file."""
    for number, raw in enumerate(fh, start=1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            bad_lines.add(number)
            yield raw.decode("utf-8", errors="replace")


def _csv_rows(fh, accounts: dict) -> Iterator[tuple[int, PostInput | None, int | str]]:
    bad_lines: set[int] = set()
    reader = csv.reader(_decoded_lines(fh, bad_lines), strict=False)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ValidationError({"file": "The file is empty."}) from None
    except csv.Error as exc:
        raise ValidationError({"file": f"Line 1: {exc}"}) from exc
    missing = REQUIRED - set(header)
    unknown = set(header) - set(COLUMNS)
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(sorted(missing))}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(sorted(unknown))}")
        raise ValidationError({"file": f"Line 1 (header): {'; '.join(parts)}. Expected: {', '.join(COLUMNS)}."})
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, None, f"Not valid CSV: {exc}."
            start = reader.line_num + 1
            continue
        end = reader.line_num
        line, start = start, end + 1
        if not any(v.strip() for v in values):
            continue  # blank line
        if any(n in bad_lines for n in range(line, end + 1)):
            yield line, None, "Not valid UTF-8 text (save the file as UTF-8)."
            continue
        if len(values) != len(header):
            yield line, None, f"Expected {len(header)} columns, found {len(values)}."
            continue
        try:
            account_id, data = _row_to_post(dict(zip(header, values, strict=True)), accounts)
        except RowError as exc:
            yield line, None, str(exc)
            continue
        yield line, data, account_id


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


def _row_to_post(row: dict[str, str], accounts: dict) -> tuple[int, PostInput]:
    key = row["account"].strip().lstrip("@").lower()
    if ":" in key:
        platform, _, handle = key.partition(":")
        key = f"{platform}:{handle.lstrip('@')}"
    account = accounts["by_key"].get(key)
    if account is None:
        raise RowError(f"Unknown account {row['account'].strip()[:60]!r} (not one of the team's social accounts).")
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
    )
    errors = data.errors()
    if errors:
        raise RowError(" ".join(errors.values()))
    return account.pk, data


# --- X archive ---------------------------------------------------------------------------------

_X_PREFIX = re.compile(rb"^\s*window\.YTD\.tweets?\.part\d+\s*=\s*")
_X_DATE = "%a %b %d %H:%M:%S %z %Y"


def _x_archive_rows(fh, account: SocialAccount) -> Iterator[tuple[int, PostInput | None, int | str]]:
    """The X archive's data/tweets.js: `window.YTD.tweets.part0 = [{"tweet": {...}}, ...]`.

    Fields used: id_str, full_text, created_at, entities.urls[].expanded_url,
    extended_entities.media[] (type, media_url_https, ext_alt_text). The file is one JSON
    array, so it is parsed whole (within QMS_IMPORT_MAX_BYTES); rows are numbered by position.
    """
    raw = fh.read()
    match = _X_PREFIX.match(raw)
    if match is None:
        raise ValidationError({"file": "Not an X archive tweets.js file (it starts with 'window.YTD.tweets.part0 =')."})
    try:
        items = json.loads(raw[match.end() :].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError({"file": f"The archive is not valid JSON: {exc}"}) from exc
    if not isinstance(items, list):
        raise ValidationError({"file": "The archive should hold a list of tweets."})
    for number, item in enumerate(items, start=1):
        tweet = item.get("tweet", item) if isinstance(item, dict) else None
        if not isinstance(tweet, dict):
            yield number, None, "Entry is not a tweet object."
            continue
        try:
            yield number, _tweet_to_post(tweet, account), account.pk
        except RowError as exc:
            yield number, None, str(exc)


def _tweet_to_post(tweet: dict, account: SocialAccount) -> PostInput:
    tweet_id = str(tweet.get("id_str") or tweet.get("id") or "").strip()
    if not tweet_id:
        raise RowError("The tweet has no id_str.")
    try:
        published = datetime.strptime(str(tweet.get("created_at", "")), _X_DATE)
    except ValueError:
        raise RowError(f"created_at {str(tweet.get('created_at'))[:40]!r} is not an X date.") from None
    media = []
    for m in (tweet.get("extended_entities") or tweet.get("entities") or {}).get("media", []) or []:
        kind = {"photo": "image", "video": "video", "animated_gif": "gif"}.get(m.get("type"), "image")
        media.append({"type": kind, "url": m.get("media_url_https", ""), "alt_text": m.get("ext_alt_text") or ""})
    text = str(tweet.get("full_text") or tweet.get("text") or "")
    # X shortens links to t.co in the text; put the real destinations back so link rules see them.
    for u in (tweet.get("entities") or {}).get("urls", []) or []:
        if u.get("url") and u.get("expanded_url"):
            text = text.replace(u["url"], u["expanded_url"])
    data = PostInput(
        external_id=tweet_id,
        text=text,
        url=f"https://x.com/{account.handle}/status/{tweet_id}",
        media=media,
        status=PostStatus.PUBLISHED,
        published_at=published,
        sponsored=False,
    )
    errors = data.errors()
    if errors:
        raise RowError(" ".join(errors.values()))
    return data
