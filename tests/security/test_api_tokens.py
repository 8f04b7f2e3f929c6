"""API tokens are stored as hashes and shown once: no page, admin or API lists a key."""

import hashlib
from types import SimpleNamespace

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import api_token_create
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _me(key: str):
    return APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")


def test_the_token_endpoint_shows_the_key_once_and_stores_only_its_hash(people):
    response = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD, "name": "ci"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    key = body["token"]
    token = ApiToken.objects.get(pk=body["id"])
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert body["prefix"] == key[:8] == token.prefix and body["name"] == "ci"
    stored = [str(v) for v in ApiToken.objects.values_list(*[f.attname for f in ApiToken._meta.fields]).get()]
    assert key not in stored
    assert _me(key).json()["username"] == "alice"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_wrong_or_revoked_key_is_refused(people):
    token, key = api_token_create(user=people.qa, by=None)
    assert _me(key + "x").status_code == 401
    token.delete()
    assert _me(key).status_code == 401


def test_a_deactivated_users_token_stops_working(people):
    _token, key = api_token_create(user=people.qa, by=None)
    people.qa.is_active = False
    people.qa.save()
    assert _me(key).status_code == 401


def test_the_profile_creates_a_token_shows_it_once_and_revokes_it(client_for, people):
    client = client_for(people.qa)
    created = client.post("/accounts/profile/tokens/", {"name": "reporting"})
    assert created.status_code == 200
    assert "no-store" in created["Cache-Control"]
    token = ApiToken.objects.get(user=people.qa)
    page = created.content.decode()
    start = page.index('id="new-token-key" value="') + len('id="new-token-key" value="')
    key = page[start : page.index('"', start)]
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    again = client.get("/accounts/profile/").content.decode()
    assert key not in again and f"{token.prefix}…" in again and "reporting" in again
    assert client.post(f"/accounts/profile/tokens/{token.pk}/revoke/").status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert _me(key).status_code == 401


def test_nobody_revokes_another_users_token(client_for, people):
    token, key = api_token_create(user=people.author, by=None)
    assert client_for(people.qa).post(f"/accounts/profile/tokens/{token.pk}/revoke/").status_code == 404
    assert _me(key).status_code == 200


def test_a_user_keeps_at_most_the_configured_number_of_tokens(settings, people):
    settings.QMS_API_TOKENS_PER_USER = 3
    first, first_key = api_token_create(user=people.qa, by=None)
    second, _ = api_token_create(user=people.qa, by=None)
    assert _me(first_key).status_code == 200  # used: now the most recently used
    api_token_create(user=people.qa, by=None)
    api_token_create(user=people.qa, by=None)
    kept = set(ApiToken.objects.filter(user=people.qa).values_list("pk", flat=True))
    assert len(kept) == 3
    assert first.pk in kept and second.pk not in kept


def test_existing_authtoken_keys_are_converted_to_hashes_and_keep_working(people):
    import importlib

    migration = importlib.import_module("accounts.migrations.0005_api_token_from_authtoken")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz NOT NULL,"
            " user_id bigint NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, now() - interval '30 days', %s)", ["a" * 40, people.qa.pk]
        )
    from django.apps import apps

    migration.convert(apps, SimpleNamespace(connection=connection))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
    token = ApiToken.objects.get(user=people.qa)
    assert token.prefix == "aaaaaaaa" and token.key_hash == hashlib.sha256(b"a" * 40).hexdigest()
    assert _me("a" * 40).json()["username"] == "alice"


def test_the_api_lists_ones_own_tokens_without_keys_and_revokes_them(api_for, people):
    token, key = api_token_create(user=people.qa, by=None, name="ci")
    other, other_key = api_token_create(user=people.author, by=None)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    listed = api.get("/api/v1/auth/tokens/")
    assert listed.status_code == 200
    assert [(t["id"], t["name"], t["prefix"]) for t in listed.json()["results"]] == [(token.pk, "ci", key[:8])]
    assert key not in listed.content.decode()
    assert api.delete(f"/api/v1/auth/tokens/{other.pk}/").status_code == 404
    assert _me(other_key).status_code == 200
    assert api.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code == 204
    assert _me(key).status_code == 401
