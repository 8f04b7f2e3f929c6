"""Tests with a real Celery worker consuming from a real broker (no eager mode): Redis, or
RabbitMQ with ``--broker=rabbitmq`` (``make test`` runs both)."""

import time
import uuid

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


def _reconfigure(**conf):
    """Apply Celery settings to the live app: forget its connection pool and queue declarations."""
    app.conf.update(**conf)
    app._pool = None  # kombu keeps pools per broker URL; the next use picks the new URL's
    app.__dict__.pop("amqp", None)


@pytest.fixture
def real_worker(settings, broker_url):
    """A worker in this process on the chosen broker, consuming a queue of its own: parallel runs
    on the shared Redis or RabbitMQ never take each other's tasks."""
    queue = f"qms-test-{uuid.uuid4().hex[:12]}"
    saved = {key: app.conf[key] for key in ("broker_url", "task_default_queue", "task_always_eager")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = broker_url  # what /readyz checks
    _reconfigure(broker_url=broker_url, task_default_queue=queue, task_always_eager=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=60, queues=[queue]):
            yield
    finally:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
        _reconfigure(**saved)


def test_worker_runs_on_the_chosen_broker(real_worker, broker_url):
    assert app.conf.broker_url == broker_url
    with app.connection_for_write() as conn:
        assert conn.transport_cls == ("amqp" if broker_url.startswith("amqp") else "redis")


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
