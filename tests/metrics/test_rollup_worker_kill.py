"""A Celery worker killed with SIGKILL in the middle of a rollup (issue 13).

The test holds the run halfway, with no hook in the product: a second connection holds a SHARE
lock on the defect rollup table, so the run (one transaction) takes the dirty queue and upserts
the review rollup, then waits to write the defect rollup. There the worker's pool child is killed
like an out-of-memory kill. Meanwhile a reader sees the old totals and the queue untouched. The
killed worker's backend is ended by PostgreSQL (client_connection_check_interval, as workers
connect), its transaction rolled back; ``acks_late`` gives the task back, a new child runs it
from the start, and the end state is what a full rebuild computes.
"""

import os
import signal

import psycopg
import pytest
from django.db import connection

from metrics.models import DefectDaily, ReviewDaily, RollupDirty, RollupRun
from metrics.services import rollup_metrics
from metrics.tasks import rollup_metrics as rollup_task
from tests.metrics.conftest import BASE, add_defect, add_review, days, posts  # noqa: F401
from tests.post_reviews.conftest import accounts, checklist  # noqa: F401
from tests.servers import children, wait_for
from tests.test_fault_beat import _rollups

pytestmark = [pytest.mark.worker, pytest.mark.fault, pytest.mark.django_db(transaction=True)]

WORKER_ENV = {
    "QMS_PROCESS_ROLE": "worker",
    "QMS_WORKER_DB_CLIENT_CHECK": "500ms",  # production: 10s
    "QMS_WORKER_DB_LOCK_TIMEOUT": "5min",  # the test holds a lock for a while on a loaded machine
}


def _waiting_backends() -> set[int]:
    """Backends of this database waiting for a lock to write the defect rollup."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND wait_event_type = 'Lock' AND query LIKE '%%INSERT INTO metrics_defectdaily%%'"
        )
        return {row[0] for row in cursor.fetchall()}


def _alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def _state():
    return _rollups(), RollupDirty.objects.count(), RollupRun.objects.count()


def _wait(predicate, timeout: float, what: str, processes):
    value = wait_for(predicate, timeout=timeout, interval=0.1)
    assert value, f"timed out after {timeout} s waiting for {what}\n{processes.logs()}"
    return value


def test_a_worker_killed_mid_rollup_is_redelivered_and_ends_as_a_full_rebuild(
    celery_processes,
    people,
    posts,  # noqa: F811
    checklist,  # noqa: F811
):
    for post in posts:
        add_defect(add_review(post, checklist, people.reviewer, at=BASE))
    rollup_metrics()
    for i, post in enumerate(posts):
        add_defect(add_review(post, checklist, people.reviewer, outcome="fail", at=BASE), category="links")
        add_defect(add_review(post, checklist, people.reviewer, outcome="pass_minor", at=BASE + days(i + 1)))
    before = _state()
    assert before[0][0] and before[1] > 0  # old totals, and a queue of changed days

    params = connection.get_connection_params()
    dsn = {k: v for k, v in params.items() if k in ("host", "port", "user", "dbname", "password") and v}
    with psycopg.connect(**dsn) as holder:
        holder.execute("LOCK TABLE metrics_defectdaily IN SHARE MODE")  # reads pass, writes wait
        worker = celery_processes.worker(pool="prefork", env=WORKER_ENV)
        rollup_task.delay()
        first = _wait(_waiting_backends, 240, "the rollup to reach the defect rollup", celery_processes)
        (doomed_backend,) = first
        # Halfway through its transaction: the queue taken and the review rollup rewritten, yet
        # a reader sees none of it, nor the run's row.
        assert _state() == before
        (child,) = children(worker.pid)
        os.kill(child, signal.SIGKILL)

        # PostgreSQL ends the dead worker's backend though its lock wait is not over: rolled back.
        _wait(lambda: not _alive(doomed_backend), 60, "the killed worker's backend to end", celery_processes)
        assert _state() == before
        # acks_late: the task is given back; a new pool child runs it from the start, to the same point.
        again = _wait(_waiting_backends, 240, "the redelivered rollup to reach the same point", celery_processes)
        assert again.isdisjoint(first) and children(worker.pid) != [child]
        assert _state() == before
        holder.commit()

    def finished():
        runs = RollupRun.objects.filter(finished_at__isnull=False)
        return not RollupDirty.objects.exists() and runs.count() == before[2] + 1

    _wait(finished, 240, "the redelivered rollup to finish", celery_processes)
    celery_processes.stop()
    assert not RollupRun.objects.filter(skipped=True).exists()  # one run, the redelivered one
    after = _rollups()
    assert after != before[0]
    assert sum(ReviewDaily.objects.values_list("reviews", flat=True)) == 3 * len(posts)
    assert sum(DefectDaily.objects.values_list("defects", flat=True)) == 3 * len(posts)
    ReviewDaily.objects.all().delete()
    DefectDaily.objects.all().delete()
    rollup_metrics(full=True)
    assert _rollups() == after
