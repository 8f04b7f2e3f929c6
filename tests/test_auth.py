import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def test_login_with_right_password_lands_on_dashboard(client, people):
    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:dashboard")
    page = client.get("/")
    assert page.status_code == 200
    assert b"Dashboard" in page.content


def test_wrong_password_shows_form_error(client, people):
    response = client.post(LOGIN, {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_five_wrong_passwords_lock_username_and_ip_with_clear_message(client, people):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(LOGIN, {"username": "alice", "password": "wrong"}).status_code == 200
    locked = client.post(LOGIN, {"username": "alice", "password": "wrong"})
    assert locked.status_code == 429
    assert b"Too many failed log-in attempts" in locked.content
    # Even the right password is refused while locked.
    again = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username(client, people):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "alice", "password": "wrong"})
    response = client.post(LOGIN, {"username": "ben", "password": PASSWORD})
    assert response.status_code == 302


def test_pages_require_login(client, people):
    for url in ["/", "/inbox/", "/accounts/profile/", f"/accounts/teams/{people.team_a.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOGIN)


def test_logout_is_a_post_and_ends_the_session(client, people):
    client.force_login(people.qa)
    response = client.post("/accounts/logout/")
    assert response.status_code in (200, 302)
    assert client.get("/").status_code == 302


def test_session_expires_when_idle_and_cookie_flags(client, people):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 8 * 3600


def test_password_validators_refuse_weak_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("12345678")
    validate_password("a-much-longer-passphrase-2026")
