"""Background work that must never hang (issue 9): a killed worker, a stale heartbeat, an
unreachable broker or cache.

- A running job whose heartbeat went quiet is resumed from its last committed batch by the
  sweeper, or failed with a message people see next to a Retry button.
- (A real worker killed with SIGKILL mid-import: test_background_faults_worker.py.)
- With the broker or cache down, an upload or an SOP approval answers 503 and writes nothing; a
  broker that fails only at commit leaves a queued run that the sweeper sends again.
"""

import socket
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from core.models import JobStatus, Signature
from core.services import job_claim, jobs_sweep
from docs_control.models import Approval, DocumentVersion
from post_reviews import services
from post_reviews.models import ImportRun, Post
from qms.celery import app
from tests.docs_control.conftest import draft_of, make_document, submit
from tests.factories import PASSWORD

HEADER = b"account,external_id,text\n"


@pytest.fixture
def brand_ig(people):
    return services.account_create(team_id=people.team_a.pk, platform="instagram", handle="brand.ig", by=people.qa)


def csv_of(n: int, start: int = 0) -> bytes:
    return HEADER + b"".join(f"brand.ig,ig-{i},Post number {i}\n".encode() for i in range(start, start + n))


def queued_run(people, capture, content: bytes) -> ImportRun:
    """A run stored with its task captured, not sent: as if the worker never got it."""
    with capture(execute=False):
        run = services.import_run_create(
            team_id=people.team_a.pk,
            upload=SimpleUploadedFile("posts.csv", content, content_type="text/csv"),
            kind="csv",
            by=people.qa,
        )
    return run


def went_quiet(run: ImportRun, *, attempts: int, rows_done: int = 0, seconds: int = 600) -> None:
    """What a worker killed mid-import leaves behind: running, an old heartbeat."""
    ImportRun.objects.filter(pk=run.pk).update(
        status=JobStatus.RUNNING,
        attempts=attempts,
        rows_done=rows_done,
        created_count=rows_done,
        heartbeat_at=timezone.now() - timedelta(seconds=seconds),
        started_at=timezone.now() - timedelta(seconds=seconds),
    )


# --- (a) the sweeper: resume, fail visibly, retry ---------------------------------------------


@pytest.mark.django_db
def test_a_stale_running_import_is_resumed_after_its_committed_rows(
    people, brand_ig, django_capture_on_commit_callbacks
):
    run = queued_run(people, django_capture_on_commit_callbacks, csv_of(5))
    went_quiet(run, attempts=1, rows_done=3)  # three rows were committed before the worker died

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_sweep() == {"resumed": 1, "failed": 0, "resent": 0}

    run.refresh_from_db()
    assert run.status == JobStatus.DONE and run.attempts == 2 and run.failure_message == ""
    # The resumed attempt skipped the three committed rows: only the last two were written now.
    assert run.rows_done == 5 and run.created_count == 5
    assert set(Post.objects.values_list("external_id", flat=True)) == {"ig-3", "ig-4"}


@pytest.mark.django_db
def test_a_run_quiet_after_its_last_attempt_is_failed_with_a_message_and_a_retry_finishes_it(
    people, brand_ig, django_capture_on_commit_callbacks, client_for, settings
):
    run = queued_run(people, django_capture_on_commit_callbacks, csv_of(4))
    went_quiet(run, attempts=settings.QMS_JOB_MAX_ATTEMPTS)
    assert jobs_sweep() == {"resumed": 0, "failed": 1, "resent": 0}
    run.refresh_from_db()
    assert run.status == JobStatus.FAILED and "worker running this job stopped" in run.failure_message

    page = client_for(people.qa).get(f"/reviews/import/{run.pk}/")
    assert 'data-testid="import-failure"' in page.content.decode()
    assert "worker running this job stopped" in page.content.decode()
    assert 'data-testid="import-retry"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(people.qa).post(f"/reviews/import/{run.pk}/retry/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == JobStatus.DONE and run.attempts == 1 and run.created_count == 4


@pytest.mark.django_db
def test_retry_through_the_api_checks_the_right_and_the_team(
    people, brand_ig, django_capture_on_commit_callbacks, api_for
):
    run = queued_run(people, django_capture_on_commit_callbacks, csv_of(2))
    ImportRun.objects.filter(pk=run.pk).update(status=JobStatus.FAILED, failure_message="Worker died.")
    url = f"/api/v1/post-imports/{run.pk}/retry/"

    assert api_for(people.viewer).post(url).status_code == 403
    assert api_for(people.outsider).post(url).status_code == 404
    run.refresh_from_db()
    assert run.status == JobStatus.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(people.qa).post(url)
    assert response.status_code == 202, response.json()
    run.refresh_from_db()
    assert run.status == JobStatus.DONE and run.created_count == 2
    assert api_for(people.qa).post(url).status_code == 409  # a finished run is not retried


@pytest.mark.django_db
def test_the_viewer_sees_no_retry_button(people, brand_ig, django_capture_on_commit_callbacks, client_for):
    run = queued_run(people, django_capture_on_commit_callbacks, csv_of(1))
    ImportRun.objects.filter(pk=run.pk).update(status=JobStatus.FAILED, failure_message="Worker died.")
    page = client_for(people.viewer).get(f"/reviews/import/{run.pk}/").content.decode()
    assert "Worker died." in page and 'data-testid="import-retry"' not in page


@pytest.mark.django_db
def test_a_run_queued_too_long_has_its_task_sent_again(people, brand_ig, django_capture_on_commit_callbacks):
    run = queued_run(people, django_capture_on_commit_callbacks, csv_of(3))  # its task was lost
    ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_sweep() == {"resumed": 0, "failed": 0, "resent": 1}
    run.refresh_from_db()
    assert run.status == JobStatus.DONE and run.created_count == 3


@pytest.mark.django_db
def test_fresh_jobs_are_left_alone_and_a_duplicate_message_changes_nothing(
    people, brand_ig, django_capture_on_commit_callbacks
):
    run = queued_run(people, django_capture_on_commit_callbacks, csv_of(2))
    ImportRun.objects.filter(pk=run.pk).update(status=JobStatus.RUNNING, attempts=1, heartbeat_at=timezone.now())
    assert jobs_sweep() == {"resumed": 0, "failed": 0, "resent": 0}
    # The broker hands the same task to a second worker: the live run is not started twice.
    assert job_claim(ImportRun, run_id=run.pk) is None
    run.refresh_from_db()
    assert (run.status, run.attempts, run.rows_done) == (JobStatus.RUNNING, 1, 0)


@pytest.mark.django_db
def test_a_worker_thought_dead_but_still_running_is_fenced_off(people, brand_ig, django_capture_on_commit_callbacks):
    from core.jobs import JobSuperseded
    from core.services import job_finish, job_touch

    run = queued_run(people, django_capture_on_commit_callbacks, csv_of(2))
    slow = job_claim(ImportRun, run_id=run.pk)  # attempt 1, then quiet for too long
    went_quiet(run, attempts=1)
    with django_capture_on_commit_callbacks(execute=False):
        assert jobs_sweep()["resumed"] == 1
    assert job_claim(ImportRun, run_id=run.pk).attempts == 2  # another worker takes it

    with pytest.raises(JobSuperseded):
        job_touch(slow, rows_done=99)
    assert job_finish(slow) is False
    run.refresh_from_db()
    assert (run.status, run.attempts, run.rows_done) == (JobStatus.RUNNING, 2, 0)


@pytest.mark.django_db(transaction=True)
def test_a_long_step_keeps_the_heartbeat_fresh_from_the_timer(people, brand_ig):
    from core.jobs import heartbeat

    run = services.import_run_create(team_id=people.team_a.pk, upload=upload(), kind="csv", by=people.qa)
    ImportRun.objects.filter(pk=run.pk).update(status=JobStatus.QUEUED, attempts=0)
    claimed = job_claim(ImportRun, run_id=run.pk)
    first = claimed.heartbeat_at
    with heartbeat(ImportRun, run.pk, attempt=claimed.attempts, every=0.05):  # a step with no commit
        deadline = time.monotonic() + 10
        while ImportRun.objects.get(pk=run.pk).heartbeat_at == first and time.monotonic() < deadline:
            time.sleep(0.02)
    assert ImportRun.objects.get(pk=run.pk).heartbeat_at > first


@pytest.mark.django_db
def test_a_task_redelivered_after_every_attempt_died_fails_instead_of_looping(
    people, brand_ig, django_capture_on_commit_callbacks, settings
):
    run = queued_run(people, django_capture_on_commit_callbacks, csv_of(2))
    went_quiet(run, attempts=settings.QMS_JOB_MAX_ATTEMPTS)
    services.import_run_execute(import_run_id=run.pk)  # reject_on_worker_lost redelivers it
    run.refresh_from_db()
    assert run.status == JobStatus.FAILED and str(settings.QMS_JOB_MAX_ATTEMPTS) in run.failure_message
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_an_import_over_its_time_limit_is_failed_with_a_message(
    people, brand_ig, django_capture_on_commit_callbacks, monkeypatch
):
    from celery.exceptions import SoftTimeLimitExceeded

    def too_slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr("post_reviews.services.imports._consume", too_slow)
    run = queued_run(people, django_capture_on_commit_callbacks, csv_of(2))
    services.import_run_execute(import_run_id=run.pk)
    run.refresh_from_db()
    assert run.status == JobStatus.FAILED and "time limit" in run.failure_message


@pytest.mark.django_db
def test_readyz_reports_a_job_nobody_swept(people, brand_ig, django_capture_on_commit_callbacks, client):
    from core.services import heartbeat_record

    heartbeat_record(name="worker")
    run = queued_run(people, django_capture_on_commit_callbacks, csv_of(1))
    went_quiet(run, attempts=1, seconds=3600)  # beat (the sweeper) has not run for an hour
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["jobs"]["ok"] is False


def test_the_sweeper_runs_every_minute_and_the_timings_nest(settings):
    from core.checks import job_timings

    assert settings.CELERY_BEAT_SCHEDULE["sweep-stale-jobs"] == {
        "task": "core.tasks.sweep_stale_jobs",
        "schedule": 60.0,
    }
    assert job_timings() == []
    settings.CELERY_TASK_TIME_LIMIT = 3 * 60 * 60  # above the 2 h visibility timeout
    assert [e.id for e in job_timings()] == ["qms.E102"]


# --- (c) broker or cache unreachable ----------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _reset_connections() -> None:
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@pytest.fixture
def dead_broker(settings):
    """Tasks really published (not eager), to a broker on a port nothing listens on."""
    url = f"redis://127.0.0.1:{closed_port()}/0"
    before = app.conf.broker_url
    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    _reset_connections()
    yield url
    app.conf.broker_url = before
    app.conf.task_always_eager = True
    _reset_connections()
    _forget_broker_failure()


def _forget_broker_failure() -> None:
    import core.broker

    core.broker._broker_down_until = 0.0  # the next test's broker is up


def dead_cache(url: str):
    return override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    )


def upload(name="posts.csv", content=None):
    return SimpleUploadedFile(name, content or csv_of(2), content_type="text/csv")


@pytest.mark.django_db(transaction=True)
def test_an_upload_with_the_broker_down_is_503_and_stores_nothing(
    dead_broker, brand_ig, people, api_for, client_for, caplog
):
    api = api_for(people.qa).post(
        "/api/v1/posts/import/", {"team": people.team_a.pk, "kind": "csv", "file": upload()}, format="multipart"
    )
    assert api.status_code == 503 and api["Retry-After"] == "30"
    assert "unreachable" in api.json()["detail"]

    page = client_for(people.qa).post("/reviews/import/", {"team": people.team_a.pk, "kind": "csv", "file": upload()})
    assert page.status_code == 503 and 'data-testid="service-unavailable"' in page.content.decode()

    assert not ImportRun.objects.exists()
    # An outage is one WARNING line per answer, not Django's ERROR with a traceback.
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert any("503 POST /api/v1/posts/import/" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db(transaction=True)
def test_a_broker_lost_at_commit_leaves_a_queued_run_the_sweeper_sends(
    dead_broker, brand_ig, people, api_for, monkeypatch, settings
):
    # The broker answered the check and died before the commit: the run is kept, queued.
    monkeypatch.setattr("post_reviews.services.imports.require_broker", lambda: None)
    response = api_for(people.qa).post(
        "/api/v1/posts/import/", {"team": people.team_a.pk, "kind": "csv", "file": upload()}, format="multipart"
    )
    assert response.status_code == 202, response.content
    run = ImportRun.objects.get()
    assert run.status == JobStatus.QUEUED

    # Later, with the broker back (eager here), the sweeper sends the task again and it runs.
    app.conf.task_always_eager = True
    settings.QMS_JOB_QUEUED_STALE_SECONDS = 0
    assert jobs_sweep()["resent"] == 1
    run.refresh_from_db()
    assert run.status == JobStatus.DONE and run.created_count == 2


@pytest.mark.django_db(transaction=True)
def test_a_large_pdf_with_the_broker_down_is_503_not_500(dead_broker, people, client_for, api_for, settings):
    settings.QMS_PDF_INLINE_MAX_CHARS = 10  # rendered by a worker, so the request sends a task
    version = draft_of(make_document(people))
    page = client_for(people.qa).get(f"/documents/versions/{version.pk}/pdf/")
    api = api_for(people.qa).get(f"/api/v1/document-versions/{version.pk}/pdf/")
    assert page.status_code == 503 and api.status_code == 503


@pytest.fixture
def in_review(people):
    version = draft_of(make_document(people))
    submit(people, version)
    return version


def assert_still_in_review(version: DocumentVersion) -> None:
    version.refresh_from_db()
    assert version.status == "in_review"
    assert not Approval.objects.filter(version=version).exclude(decision="pending").exists()
    assert not Signature.objects.filter(meaning="approved").exists()


@pytest.mark.django_db(transaction=True)
def test_an_approval_with_redis_down_is_503_and_signs_nothing(
    dead_broker, in_review, people, api_for, client_for, caplog
):
    with dead_cache(dead_broker):
        api = api_for(people.lead).post(
            f"/api/v1/document-versions/{in_review.pk}/approve/", {"password": PASSWORD}, format="json"
        )
        page = client_for(people.lead).post(
            f"/documents/versions/{in_review.pk}/approve/", {"password": PASSWORD, "comment": ""}
        )
    assert api.status_code == 503, api.content
    assert page.status_code == 503 and 'data-testid="service-unavailable"' in page.content.decode()
    assert_still_in_review(in_review)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


@pytest.mark.django_db(transaction=True)
def test_an_approval_with_only_the_broker_down_is_committed_not_a_500(dead_broker, in_review, people, api_for):
    # The cache works (signing can count wrong passwords); only the e-mails can't be queued.
    response = api_for(people.lead).post(
        f"/api/v1/document-versions/{in_review.pk}/approve/", {"password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    in_review.refresh_from_db()
    assert in_review.status in ("approved", "effective")
    assert Signature.objects.filter(meaning="approved").count() == 1
