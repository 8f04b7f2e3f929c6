"""Worker heartbeat and the readiness checks behind /readyz."""

import socket
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import Connection

from core.models import WorkerHeartbeat


def heartbeat_record(*, name: str = "worker") -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"last_seen_at": timezone.now(), "hostname": socket.gethostname()[:200]}
    )
    return heartbeat


def _check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, "ok"
    except Exception as exc:
        return False, type(exc).__name__


def _check_broker() -> tuple[bool, str]:
    try:
        options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {})
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2, transport_options=options) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        return True, "ok"
    except Exception as exc:
        return False, type(exc).__name__


def _check_worker() -> tuple[bool, str]:
    try:
        heartbeat = WorkerHeartbeat.objects.filter(name="worker").first()
    except Exception as exc:
        return False, type(exc).__name__
    if heartbeat is None:
        return False, "no heartbeat yet"
    age = timezone.now() - heartbeat.last_seen_at
    if age > timedelta(seconds=settings.QMS_WORKER_STALE_SECONDS):
        return False, f"last heartbeat {int(age.total_seconds())} s ago"
    return True, f"last heartbeat {int(age.total_seconds())} s ago"


def _check_jobs() -> tuple[bool, str]:
    from .jobs import jobs_stuck_count

    try:
        stuck = jobs_stuck_count()
    except Exception as exc:
        return False, type(exc).__name__
    if stuck:
        return False, f"{stuck} job(s) running with no heartbeat: is beat (sweep_stale_jobs) running?"
    return True, "ok"


def readiness_checks() -> dict[str, dict[str, object]]:
    checks = {
        "database": _check_database(),
        "broker": _check_broker(),
        "worker": _check_worker(),
        "jobs": _check_jobs(),
    }
    return {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()}
