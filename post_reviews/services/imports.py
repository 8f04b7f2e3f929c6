"""Imports: our CSV format and the X archive's tweets.js, streamed, bad rows reported by line.

A file is read in batches: each good row is upserted (idempotent on account + external id),
each bad row is recorded with its line number and reason, and nothing of a bad row is written.
"""

import contextlib
import itertools
import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import can_view_team
from core.broker import enqueue_on_commit, require_broker
from core.exceptions import NotFound, PermissionDenied, TransitionNotAllowed, ValidationError
from core.jobs import JobSuperseded, heartbeat
from core.services import job_claim, job_fail, job_finish, job_requeue, job_touch
from core.storage import STORAGE_ERRORS, file_store, is_missing, storage_problem, stored_or_cleanup
from post_reviews import importers
from post_reviews import permissions as perms
from post_reviews.models import ImportRun, ImportStatus, SocialAccount, Source
from post_reviews.tasks import posts_precheck_many

from .bulk_pg import copy_line, posts_copy_upsert
from .posts import PostInput, posts_upsert_batch

logger = logging.getLogger(__name__)

MAX_ERRORS_KEPT = 1000

# --- creating a run ----------------------------------------------------------------------------


def import_run_create(
    *, team_id: int, upload: UploadedFile, kind: str, by: User, account_id: int | None = None
) -> ImportRun:
    """Store the uploaded file and queue the import. Small files run at once in the worker too:
    the page shows the progress either way.

    With the broker unreachable nothing is stored (ServiceUnavailable, a 503). Should the broker
    fail between that check and the commit, the run stays queued and `sweep_stale_jobs` sends
    its task later."""
    if not can_view_team(by, team_id):
        raise NotFound("No such team.")
    if not perms.can_manage_posts(by, team_id):
        raise PermissionDenied("Your role can't import posts.")
    if kind not in ("csv", "x_archive"):
        raise ValidationError({"kind": "Choose CSV or X archive (tweets.js)."})
    if upload.size and upload.size > settings.QMS_IMPORT_MAX_BYTES:
        raise ValidationError({"file": f"The file is larger than {settings.QMS_IMPORT_MAX_BYTES // 2**20} MB."})
    account = None
    if kind == "x_archive":
        account = SocialAccount.objects.filter(pk=account_id or 0, team_id=team_id, platform="x").first()
        if account is None:
            raise ValidationError({"account": "Choose the team's X account the archive belongs to."})
    require_broker()
    run = ImportRun(
        team_id=team_id,
        uploaded_by=by,
        kind=kind,
        account=account,
        original_name=(upload.name or "upload")[:255],
        heartbeat_at=timezone.now(),
    )
    # The file first, then the row: a storage failure raises StorageUnavailable (a 503) with no
    # run recorded, and a run that can't be saved takes its stored file with it.
    storage = run.file.storage
    name = run.file.field.generate_filename(run, f"import-{kind}")
    stored = file_store(storage, name, upload, what="The import file")
    run.file.name = stored
    stored_or_cleanup(storage, stored, run.save)
    from post_reviews.tasks import import_run_execute as task

    enqueue_on_commit(task, run.pk)
    return run


def import_run_retry(*, import_run_id: int, by: User) -> ImportRun:
    """Queue a failed run again; it resumes after the rows its earlier attempts committed (the
    import is idempotent, so rows seen twice change nothing). A queued or running run is left
    as it is; a finished one can't be retried."""
    require_broker()
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().filter(pk=import_run_id).first()
        if run is None or not can_view_team(by, run.team_id):
            raise NotFound("No such import.")
        if not perms.can_retry_import(by, run):
            raise PermissionDenied("Your role can't import posts.")
        if run.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            return run
        if run.status != ImportStatus.FAILED:
            raise TransitionNotAllowed(run.status, ImportStatus.QUEUED, "Only a failed import can be retried.")
        logger.info("Import run %s: retried by user %s", run.pk, by.pk)
        return job_requeue(run, reset_attempts=True)


# --- running it --------------------------------------------------------------------------------


def import_run_execute(*, import_run_id: int) -> ImportRun | None:
    """Worker side. Idempotent: a finished run, or one another worker is running, is left alone.
    A run whose earlier attempt died (its heartbeat went quiet, and the sweeper or the broker
    handed it out again) resumes after the rows of its committed batches."""
    run = job_claim(ImportRun, run_id=import_run_id)
    if run is None:
        return ImportRun.objects.filter(pk=import_run_id).first()
    resume_after = run.rows_done
    by = run.uploaded_by
    accounts = _accounts_of(run.team_id)
    try:
        with heartbeat(ImportRun, run.pk, attempt=run.attempts), run.file.open("rb") as fh:
            # The total counts records, not lines: a quoted text may span lines.
            if run.kind == "csv":
                run.rows_total = importers.csv_count_records(fh)
                fh.seek(0)
                rows = importers.csv_rows(fh, {key: a and a.pk for key, a in accounts["by_key"].items()})
            else:
                account = accounts["by_id"][run.account_id]
                entries = importers.x_archive_entries(fh.read())
                run.rows_total = len(entries)
                rows = importers.x_archive_rows(entries, account_id=account.pk, handle=account.handle)
            job_touch(run, rows_total=run.rows_total)
            _consume(run, itertools.islice(rows, resume_after, None), accounts, by)
    except JobSuperseded:
        logger.warning("Import run %s: attempt %s stopped, another worker has the run", run.pk, run.attempts)
    except ValidationError as exc:
        job_fail(run, message=" ".join(m for msgs in exc.errors.values() for m in msgs))
    except SoftTimeLimitExceeded:
        job_fail(
            run,
            message=f"The import took longer than the time limit and was stopped after {_committed_rows(run)} rows; "
            "retry it to continue, or split the file.",
        )
    except DatabaseError:
        # A batch the database refused (a deadlock with another import, say) fails the run
        # visibly instead of leaving it "running"; the batches before it stay imported.
        logger.exception("Import run %s: a batch was refused by the database", run.pk)
        job_fail(run, message=f"The database refused a batch after {_committed_rows(run)} rows; retry the import.")
    except STORAGE_ERRORS as exc:
        # The uploaded file is gone from storage, or the storage can't be read right now.
        logger.warning("Import run %s: the import file could not be read: %s", run.pk, exc)
        problem = "it is missing from the file storage" if is_missing(exc) else storage_problem(exc)
        job_fail(
            run,
            message=f"The import file could not be read ({problem}) after {_committed_rows(run)} rows; "
            "retry the import later, or upload the file again.",
        )
    except Exception:
        # Anything else (a defect, a file shape nobody foresaw) fails the run with a message
        # instead of leaving it "running" for ever; the batches before it stay imported.
        logger.exception("Import run %s stopped on an unexpected error", run.pk)
        job_fail(
            run,
            message=f"The import stopped on an unexpected error after {_committed_rows(run)} rows (it is logged).",
        )
    else:
        job_finish(run, extra_fields=("rows_total",))
    return run


def _committed_rows(run: ImportRun) -> int:
    return ImportRun.objects.values_list("rows_done", flat=True).get(pk=run.pk)


def _accounts_of(team_id: int) -> dict:
    accounts = list(SocialAccount.objects.filter(team_id=team_id))
    by_key = {}
    for a in accounts:
        by_key[a.handle.lower()] = a if a.handle.lower() not in by_key else None  # ambiguous across platforms
        by_key[f"{a.platform}:{a.handle.lower()}"] = a
    return {"by_key": by_key, "by_id": {a.pk: a for a in accounts}}


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
    batch_rows = settings.QMS_IMPORT_BATCH_ROWS
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
        if len(items) + duplicates >= batch_rows or len(errors) >= batch_rows:
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
            # A batch and the run's progress commit together: a resumed run skips exactly the
            # rows already in, and each commit is a heartbeat.
            with transaction.atomic():
                _write_batch(run, batch, accounts, by, fast)


def _write_batch(run: ImportRun, batch: "_Batch", accounts: dict, by: User, fast: bool) -> None:
    if batch.items and fast:
        result = posts_copy_upsert(lines=batch.items, source=_source(run), by=by)
        run.created_count += len(result["created"])
        run.updated_count += len(result["updated"])
        run.unchanged_count += len(batch.items) - len(result["created"]) - len(result["updated"])
        to_check = result["created"] + result["content_changed"]
        for start in range(0, len(to_check), 2000):
            enqueue_on_commit(posts_precheck_many, to_check[start : start + 2000])
    elif batch.items:
        result = posts_upsert_batch(account_by_id=accounts["by_id"], items=batch.items, source=_source(run), by=by)
        run.created_count += len(result["created"])
        run.updated_count += len(result["updated"])
        run.unchanged_count += len(result["unchanged"])
    run.unchanged_count += batch.duplicates
    run.rows_done += len(batch.items) + batch.duplicates + len(batch.errors)
    run.error_count += len(batch.errors)
    room = MAX_ERRORS_KEPT - len(run.errors)
    run.errors.extend(batch.errors[: max(0, room)])
    job_touch(
        run,
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
