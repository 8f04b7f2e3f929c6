"""Background work that must never hang (issue 9): a real Celery worker killed with SIGKILL
mid-import leaves a run that the sweeper resumes, instead of one `running` for the two hours of
Redis's visibility timeout."""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from core.models import JobStatus
from core.services import jobs_sweep
from post_reviews import services
from post_reviews.models import ImportRun, Post
from qms.celery import app
from tests.security.test_background_faults import _reset_connections, csv_of

pytestmark = pytest.mark.worker


@pytest.fixture
def brand_ig(people):
    return services.account_create(team_id=people.team_a.pk, platform="instagram", handle="brand.ig", by=people.qa)


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@pytest.fixture
def worker_processes(transactional_db, settings, broker_url):
    """Start real `celery worker` processes on this test's database and Redis db; each can be
    killed like a crashed host. Every process started here is stopped at the end."""
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qms.settings.test",
        "TEST_DATABASE_URL": f"{database_url}/{db['NAME']}",
        "TEST_BROKER_URL": broker_url,
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "QMS_IMPORT_BATCH_ROWS": "25",  # many small committed batches: the kill lands mid-import
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    # A queue of this run's own on the chosen broker (--broker): parallel runs never collide.
    queue = f"qms-test-{uuid.uuid4().hex[:12]}"
    saved = (app.conf.broker_url, app.conf.task_default_queue)
    app.conf.broker_url = broker_url
    app.conf.task_default_queue = queue
    _reset_connections()
    app.__dict__.pop("amqp", None)
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "qms", "worker", "--pool=solo", "-l", "WARNING",
                   "--without-mingle", "--without-gossip", "-Q", queue, "-n", f"killable{len(started)}@%h"]  # fmt: skip
        process = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    app.conf.task_always_eager = True
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)
    app.conf.broker_url, app.conf.task_default_queue = saved
    _reset_connections()
    app.__dict__.pop("amqp", None)
    if broker_url.startswith("redis"):
        # The killed worker's message is still "unacked" in Redis; drop it so no later run sees it.
        redis.Redis.from_url(broker_url).delete("unacked", "unacked_index", "unacked_mutex")


def test_a_worker_killed_mid_import_is_resumed_by_the_sweeper_not_left_running(
    worker_processes, brand_ig, people, settings
):
    rows = 1500
    with transaction.atomic():
        run = services.import_run_create(
            team_id=people.team_a.pk,
            upload=SimpleUploadedFile("big.csv", csv_of(rows), content_type="text/csv"),
            kind="csv",
            by=people.qa,
        )
    doomed = worker_processes()

    def mid_import():
        current = ImportRun.objects.get(pk=run.pk)
        return current.status == JobStatus.RUNNING and current.rows_done > 0

    _wait_for(mid_import, 120, "the first committed batch")
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=10)
    killed = ImportRun.objects.get(pk=run.pk)
    assert killed.status == JobStatus.RUNNING and 0 < killed.rows_done < rows  # stuck, as in the attack

    settings.QMS_JOB_STALE_SECONDS = 2
    _wait_for(
        lambda: timezone.now() - ImportRun.objects.get(pk=run.pk).heartbeat_at > timedelta(seconds=2),
        30,
        "the heartbeat to go stale",
    )
    assert jobs_sweep()["resumed"] == 1  # what the beat job does every minute
    worker_processes()  # a healthy worker takes the re-sent task

    def finished():
        current = ImportRun.objects.get(pk=run.pk)
        return current if current.status in (JobStatus.DONE, JobStatus.FAILED) else None

    final = _wait_for(finished, 240, "the resumed import to finish")
    assert final.status == JobStatus.DONE, final.failure_message
    assert final.attempts == 2 and final.rows_done == rows
    # Resumed after the committed batches, so nothing was counted twice and every row is in.
    assert final.created_count == rows and final.updated_count == 0
    assert Post.objects.filter(account=brand_ig).count() == rows
