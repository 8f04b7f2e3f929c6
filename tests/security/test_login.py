"""The token endpoint answers like an API (400 by field, JSON 429), and login survives a dead cache."""

import socket

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def test_a_wrong_password_is_a_400_on_the_password_field(people):
    response = APIClient().post(TOKEN, {"username": "alice", "password": "nope"})
    assert response.status_code == 400
    assert response.json() == {"password": ["The username or password is not correct."]}
    unknown = APIClient().post(TOKEN, {"username": "nobody", "password": "nope"})
    assert unknown.json() == response.json()  # no hint whether the username exists


def test_a_lockout_is_a_json_429_with_its_own_message(people):
    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert api.post(TOKEN, {"username": "alice", "password": "nope"}).status_code == 400
    locked = api.post(TOKEN, {"username": "alice", "password": "nope"})
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    assert locked.json()["code"] == "login_locked"
    assert "Too many failed log-in attempts" in locked.json()["detail"]
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    # The right password doesn't help while locked.
    again = api.post(TOKEN, {"username": "alice", "password": PASSWORD})
    assert again.status_code == 429 and "token" not in again.json()


def test_the_page_login_keeps_its_html_lockout_page(client, people):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert b'data-testid="locked"' in response.content


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dead_cache():
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        }
    }
    with override_settings(CACHES=dead):
        with pytest.raises(Exception):  # noqa: B017 - the point: the cache really is down
            cache.get("anything")
        yield


def test_login_works_with_the_cache_down(dead_cache, client, people):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    page = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert page.status_code == 302
    assert client.get("/").status_code == 200
    token = APIClient().post(TOKEN, {"username": "alice", "password": PASSWORD})
    assert token.status_code == 200 and token.json()["token"]
    wrong = APIClient().post(TOKEN, {"username": "alice", "password": "nope"})
    assert wrong.status_code == 400
