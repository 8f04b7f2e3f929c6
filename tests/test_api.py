import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_for_right_credentials_then_me_with_teams_and_roles(people):
    api = APIClient()
    response = api.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/").json()
    assert me["username"] == "alice"
    assert me["memberships"] == [{"team_id": people.team_a.pk, "team": "Brand", "role": "qa_manager"}]


def test_token_with_wrong_password_is_refused(people):
    response = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": "x"}, format="json")
    assert response.status_code in (400, 401, 403)
    assert "token" not in response.json()


def test_token_with_missing_fields_reports_them(people):
    response = APIClient().post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


@pytest.mark.parametrize("url", ["/api/v1/me/", "/api/v1/attachments/", "/api/v1/notifications/", "/api/schema/"])
def test_anonymous_requests_get_401_never_data(url, people):
    response = APIClient().get(url)
    assert response.status_code in (401, 403)


def test_anonymous_api_docs_page_redirects_to_the_login_with_next(client, people):
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "next=/api/docs/" in response["Location"]


def test_session_auth_works_for_the_api(client_for, people):
    response = client_for(people.lead).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "ben"


def test_schema_and_docs_are_served_without_a_cdn(client_for, people):
    client = client_for(people.qa)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "drf_spectacular_sidecar" in docs
    assert "cdn." not in docs and "unpkg" not in docs


def test_bad_ids_in_api_paths_are_404_not_500(api_for, people):
    assert api_for(people.qa).get("/api/v1/attachments/abc/").status_code == 404
