"""Tests with a real Celery worker consuming from real Redis (no eager mode)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from core.models import Notification, WorkerHeartbeat
from core.services import notification_enqueue
from qms.celery import app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def real_worker(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.CELERY_BROKER_URL
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield
    app.conf.task_always_eager = True


def test_heartbeat_from_a_real_worker_makes_readyz_ready(real_worker, client):
    assert client.get("/readyz").status_code == 503
    from core.tasks import heartbeat

    heartbeat.delay()
    assert _wait_for(lambda: WorkerHeartbeat.objects.filter(name="worker").exists())
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert all(check["ok"] for check in response.json()["checks"].values())


def test_notification_email_is_sent_by_the_worker_after_commit(real_worker, people_committed):
    notification, created = notification_enqueue(
        recipient=people_committed.qa, kind="k", subject=people_committed.team_a, title="Worker mail"
    )
    assert created
    assert _wait_for(lambda: Notification.objects.get(pk=notification.pk).emailed_at is not None)
    assert [m.subject for m in mail.outbox] == ["[QMS] Worker mail"]


@pytest.fixture
def people_committed(transactional_db):
    from tests.conftest import make_personas

    return make_personas()
