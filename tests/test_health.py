import pytest

from core.services import heartbeat_record

pytestmark = pytest.mark.django_db


def test_healthz_needs_no_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("broker", ["redis://127.0.0.1:1/0", "amqp://guest:guest@127.0.0.1:1//"])
def test_readyz_is_503_when_the_broker_is_unreachable(client, settings, broker):
    heartbeat_record(name="worker")
    settings.CELERY_BROKER_URL = broker
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_readyz_is_503_without_a_worker_heartbeat(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {"ok": False, "detail": "no heartbeat yet"}


def test_readyz_is_503_when_the_heartbeat_is_stale(client, settings):
    from datetime import timedelta

    from django.utils import timezone

    from core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.create(name="worker", last_seen_at=timezone.now() - timedelta(hours=1))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False


def test_heartbeat_task_is_in_the_beat_schedule(settings):
    assert settings.CELERY_BEAT_SCHEDULE["heartbeat"]["task"] == "core.tasks.heartbeat"
