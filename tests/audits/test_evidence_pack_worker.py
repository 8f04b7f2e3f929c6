"""Evidence packs built by a real Celery worker process on Redis, and one killed mid-build.

The kill test holds the build in the middle of the ZIP: one attachment is a named pipe the test
keeps open, so the worker blocks reading it after the other entries were streamed. The worker's
child process is killed there (SIGKILL, like an out-of-memory kill); with ``acks_late`` and
``reject_on_worker_lost`` the task is given back and a new child builds the pack from scratch.
At no point is a partial ZIP offered.
"""

import hashlib
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import redis
from django.core.files.storage import default_storage
from django.db import connection, transaction

from audits.models import EvidencePackJob, PackStatus
from audits.packs.services import evidence_pack_request
from audits.packs.verifier import pack_check
from qms.celery import app
from tests.audits.pack_fixtures import make_pack_audit

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@pytest.fixture
def worker(transactional_db, settings):
    """Start a real ``celery worker`` (prefork, one child) on this test's database and Redis db."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qms.settings.test",
        "TEST_DATABASE_URL": f"{url}/{db['NAME']}",
        "TEST_REDIS_URL": settings.CELERY_BROKER_URL,
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "QMS_PACK_PDF_CHILD": "true",  # as in production: the PDFs are laid out by a child process
        "TMPDIR": str(_worker_tmp(settings)),  # where the PDF children's folders go
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.CELERY_BROKER_URL
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "qms",
        "worker",
        "--pool=prefork",
        "-c",
        "1",
        "-l",
        "WARNING",
        "--without-mingle",
        "--without-gossip",
        "-n",
        "packs@%h",
    ]
    process = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL)
    yield process
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    app.conf.task_always_eager = True
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("unacked", "unacked_index", "unacked_mutex")


def _worker_tmp(settings) -> Path:
    folder = Path(settings.MEDIA_ROOT).parent / "worker-tmp"
    folder.mkdir(exist_ok=True)
    return folder


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _has_open(pid: int, path: Path) -> bool:
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == str(path) for fd in os.listdir(f"/proc/{pid}/fd"))
    except (FileNotFoundError, ProcessLookupError):
        return False


def _finished(job_id: int):
    job = EvidencePackJob.objects.get(pk=job_id)
    return job if job.status in (PackStatus.DONE, PackStatus.FAILED) else None


def _request(audit, user) -> EvidencePackJob:
    with transaction.atomic():
        return evidence_pack_request(audit_id=audit.pk, by=user)


def test_a_real_worker_builds_a_pack_that_verifies(worker, people):
    pack = make_pack_audit(people)
    job = _request(pack.audit, people.auditor)
    done = _wait_for(lambda: _finished(job.pk), 240, "the pack to be built")
    assert done.status == PackStatus.DONE, done.failure_message
    with default_storage.open(done.file_name, "rb") as fh:
        data = fh.read()
    assert len(data) == done.size
    result = pack_check(io.BytesIO(data))
    assert result.intact and result.manifest_sha256 == done.manifest_sha256


def test_a_worker_killed_mid_build_never_offers_a_partial_zip_and_the_redelivered_build_completes(
    worker, people, settings
):
    pack = make_pack_audit(people)
    # The last evidence file is a named pipe: reading it blocks until the test writes to it.
    blocker = pack.attachments[-1]
    fifo = Path(settings.MEDIA_ROOT) / blocker.file.name
    fifo.unlink()
    os.mkfifo(fifo)
    held = os.open(fifo, os.O_RDWR)  # a writer stays open: the worker's reads block, not its open()
    payload = b"evidence 6\n"
    try:
        job = _request(pack.audit, people.auditor)
        child = _wait_for(
            lambda: next((c for c in _children(worker.pid) if _has_open(c, fifo)), None),
            240,
            "the build to reach the held attachment",
        )
        running = EvidencePackJob.objects.get(pk=job.pk)
        assert running.status == PackStatus.RUNNING and running.attempts == 1
        os.kill(child, signal.SIGKILL)

        # The dead build is not offered, whatever it had written.
        dead = EvidencePackJob.objects.get(pk=job.pk)
        assert dead.status != PackStatus.DONE and dead.file_name == "" and not dead.is_downloadable

        # The task is given back and a fresh child starts again; it too blocks on the pipe.
        _wait_for(
            lambda: next((c for c in _children(worker.pid) if c != child and _has_open(c, fifo)), None),
            240,
            "the redelivered build to reach the held attachment",
        )
        assert EvidencePackJob.objects.get(pk=job.pk).attempts == 2
        os.write(held, payload)
    finally:
        os.close(held)  # end of file for the reader
    done = _wait_for(lambda: _finished(job.pk), 240, "the redelivered build to finish")
    assert done.status == PackStatus.DONE, done.failure_message
    with default_storage.open(done.file_name, "rb") as fh:
        data = fh.read()
    assert pack_check(io.BytesIO(data)).intact
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = archive.read("manifest.json")
        assert archive.read("evidence/_CON.txt") == payload
    assert hashlib.sha256(manifest).hexdigest() == done.manifest_sha256
    # The killed attempt's part file was removed when the next attempt started.
    folder = f"evidence-packs/{pack.audit.pk}"
    assert default_storage.listdir(folder)[1] == [Path(done.file_name).name]
    # And the killed attempt's PDF child removed its folder when the worker's end of its pipe closed.
    tmp = _worker_tmp(settings)
    _wait_for(lambda: not list(tmp.glob("qms-pack-pdfs-*")), 60, "the PDF folders to be removed")
