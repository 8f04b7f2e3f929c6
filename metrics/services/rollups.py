"""The rollup runs.

A run takes a transaction-level advisory lock, so two runs (a duplicate beat tick, two workers)
never interleave: the second waits up to ``QMS_ROLLUP_LOCK_WAIT_SECONDS`` for the first to commit,
then either runs (and finds little left to do) or gives up and leaves the queue for the next tick.
A worker killed mid-run rolls its transaction back, queue rows included, so the next run redoes the
work. The wait is for that case: the killed worker's backend holds the lock until PostgreSQL
notices its client is gone (``client_connection_check_interval``, docs/operations.md), and the
task that ``acks_late`` redelivers at once must not skip in the meantime.
"""

import secrets
import time
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from metrics import rollups, rollups_posts, rollups_quality
from metrics.models import RollupRun

# Any constant; it names this job among the advisory locks of the database.
_LOCK_KEY = 0x51_4D_53_4D  # "QMSM"

# The rollups beside the review ones: posts and engagement, and the quality records. Each adds
# its keys to the run's ``metrics_keys`` and upserts its tables over those same keys.
_DOMAINS = (rollups_posts, rollups_quality)
_UPSERTS = (*rollups_posts.UPSERTS, *rollups_quality.UPSERTS)
_TABLES = (*rollups.ROLLUP_TABLES, *rollups_posts.TABLES, *rollups_quality.ROLLUP_TABLES)


def _tz() -> str:
    return settings.QMS_METRICS_TIME_ZONE


@transaction.atomic
def rollup_metrics(*, full: bool = False, day_from: date | None = None, day_to: date | None = None) -> RollupRun:
    """Refresh the rollups: the days queued since the last run, or (``full``) every day in
    ``day_from``..``day_to`` (all days when both are None). Idempotent: a re-run changes nothing."""
    run = RollupRun.objects.create(kind="full" if full else "incremental")
    if connection.vendor != "postgresql":
        from metrics.fallback import rollup_rebuild_orm

        run.keys = rollup_rebuild_orm(tz=_tz())
        run.finished_at = timezone.now()
        run.save(update_fields=["keys", "finished_at"])
        return run
    with connection.cursor() as cursor:
        if not _lock(cursor, wait=settings.QMS_ROLLUP_LOCK_WAIT_SECONDS):
            run.skipped = True
            run.finished_at = timezone.now()
            run.save(update_fields=["skipped", "finished_at"])
            return run
        # The keys are a temporary table without statistics, so the planner guesses many rows and
        # JIT-compiles the aggregates: seconds of compiling for milliseconds of work (bench/rollup_posts.py).
        # A full rebuild sorts or hashes every post once: in memory, not in temporary files.
        cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'")
        cursor.execute("DROP TABLE IF EXISTS metrics_keys; DROP TABLE IF EXISTS metrics_bounds")
        params = {
            "tz": _tz(),
            "token": secrets.randbits(62),
            "day_from": day_from or date(1970, 1, 1),
            "day_to": day_to or date(9999, 12, 31),
        }
        if full:
            cursor.execute(rollups.DROP_DIRTY_IN_RANGE, params)
            cursor.execute(rollups.KEYS_FROM_RANGE, params)
            for domain in _DOMAINS:
                cursor.execute(domain.KEYS_FROM_RANGE, params)
        else:
            cursor.execute(rollups.KEYS_FROM_DIRTY, params)
        cursor.execute("SELECT count(*) FROM metrics_keys")
        run.keys = cursor.fetchone()[0]
        if run.keys:
            cursor.execute(rollups.KEY_BOUNDS, params)
            few = run.keys <= rollups.FEW_KEYS
            cursor.execute(rollups.UPSERT_REVIEWS_FEW if few else rollups.UPSERT_REVIEWS, params)
            cursor.execute(rollups.UPSERT_DEFECTS_FEW if few else rollups.UPSERT_DEFECTS, params)
            for statement in _UPSERTS:
                cursor.execute(statement, params)
            for table in _TABLES:
                cursor.execute(rollups.DELETE_STALE.format(table=table), params)
        cursor.execute("DROP TABLE IF EXISTS metrics_keys; DROP TABLE IF EXISTS metrics_bounds")
    run.finished_at = timezone.now()
    run.save(update_fields=["keys", "finished_at"])
    return run


def _lock(cursor, *, wait: float) -> bool:
    """Take the run's advisory lock, trying again for up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK_KEY])
        if cursor.fetchone()[0]:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


def rollup_recent_days(*, days: int) -> RollupRun:
    """The nightly safety net: rebuild the last ``days`` business days in full."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    today = timezone.now().astimezone(ZoneInfo(_tz())).date()
    return rollup_metrics(full=True, day_from=today - timedelta(days=days - 1), day_to=today)
