"""Per-connection statement timeout: a query over it fails the request cleanly; the next succeeds."""

import pytest
from django.db import connection, transaction
from django.test import Client

from core.views import health

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_query_over_the_statement_timeout_fails_cleanly_and_the_next_request_succeeds(monkeypatch):
    real = health.readiness_checks

    def stuck():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = '100ms'")
            cursor.execute("SELECT pg_sleep(5)")
        return real()

    client = Client(raise_request_exception=False)
    monkeypatch.setattr(health, "readiness_checks", stuck)
    assert client.get("/readyz").status_code == 500
    monkeypatch.setattr(health, "readiness_checks", real)
    response = client.get("/readyz")
    assert response.json()["checks"]["database"] == {"ok": True, "detail": "ok"}
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] != "100ms"  # SET LOCAL ended with its transaction


def test_the_statement_timeout_error_is_query_canceled():
    from django.db import OperationalError

    with (
        pytest.raises(OperationalError, match="statement timeout"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL statement_timeout = '50ms'")
        cursor.execute("SELECT pg_sleep(5)")
