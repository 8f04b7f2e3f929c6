"""Issue 9: a team admin took over the system through /admin/. The admin site is for superusers."""

import pytest

from accounts.models import Membership, User
from accounts.roles import Role
from accounts.services import api_token_create, roles_sync
from core.admin_site import admin_site
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _refused(response) -> bool:
    """Sent to the admin login page (which then says "not authorised"), or no such page."""
    return response.status_code == 404 or (
        response.status_code == 302 and response["Location"].startswith("/admin/login/")
    )


def test_a_team_admin_is_not_staff_and_cannot_open_the_admin_site(client, agency_admin):
    assert not agency_admin.is_staff
    client.force_login(agency_admin)
    assert _refused(client.get("/admin/"))


def test_a_team_admin_made_staff_by_an_older_version_still_cannot_get_in(client, agency_admin):
    User.objects.filter(pk=agency_admin.pk).update(is_staff=True)
    client.force_login(User.objects.get(pk=agency_admin.pk))
    assert _refused(client.get("/admin/"))
    assert _refused(client.get("/admin/accounts/user/"))
    roles_sync()
    assert not User.objects.get(pk=agency_admin.pk).is_staff


def test_a_team_admin_cannot_log_in_through_the_admin_login_form(client, agency_admin):
    response = client.post("/admin/login/?next=/admin/", {"username": "tom", "password": PASSWORD})
    assert response.status_code == 200  # the form again, with its error
    assert _refused(client.get("/admin/"))


def test_a_team_admin_cannot_list_api_token_keys(client, agency_admin, people):
    _token, key = api_token_create(user=people.qa, by=None)
    client.force_login(agency_admin)
    for url in ["/admin/authtoken/tokenproxy/", "/admin/authtoken/token/", "/admin/accounts/apitoken/"]:
        response = client.get(url)
        assert _refused(response), url
        assert key.encode() not in response.content


def test_a_team_admin_cannot_make_themselves_superuser(client, agency_admin):
    client.force_login(agency_admin)
    response = client.post(
        f"/admin/accounts/user/{agency_admin.pk}/change/",
        {"username": "tom", "is_active": "on", "is_staff": "on", "is_superuser": "on"},
    )
    assert _refused(response)
    agency_admin.refresh_from_db()
    assert not agency_admin.is_superuser and not agency_admin.is_staff


def test_a_team_admin_cannot_give_themselves_a_role_in_another_team_through_the_inline(client, agency_admin, people):
    client.force_login(agency_admin)
    response = client.post(
        f"/admin/accounts/user/{agency_admin.pk}/change/",
        {
            "username": "tom",
            "is_active": "on",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-team": str(people.team_a.pk),
            "memberships-0-role": Role.QA_MANAGER,
        },
    )
    assert _refused(response)
    assert not Membership.objects.filter(user=agency_admin, team=people.team_a).exists()


def test_a_team_admin_cannot_set_another_teams_users_password(client, agency_admin, people):
    client.force_login(agency_admin)
    response = client.post(
        f"/admin/accounts/user/{people.qa.pk}/password/",
        {"password1": "taken-over-2026!", "password2": "taken-over-2026!"},
    )
    assert _refused(response)
    people.qa.refresh_from_db()
    assert people.qa.check_password(PASSWORD)


def test_no_admin_page_of_any_app_opens_for_a_team_admin(client, agency_admin):
    client.force_login(agency_admin)
    for model in admin_site._registry:
        opts = model._meta
        url = f"/admin/{opts.app_label}/{opts.model_name}/"
        assert _refused(client.get(url)), url
        assert _refused(client.get(url + "add/")), url


def test_a_superuser_still_uses_the_admin_site_and_sees_no_token_keys(client, superuser, people):
    _token, key = api_token_create(user=people.qa, by=None)
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get(f"/admin/accounts/user/{people.qa.pk}/change/").status_code == 200
    tokens = client.get("/admin/accounts/apitoken/")
    assert tokens.status_code == 200
    assert key[:8].encode() in tokens.content and key.encode() not in tokens.content
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404


def test_the_administration_link_shows_for_superusers_only(client, superuser, agency_admin):
    client.force_login(agency_admin)
    assert b"Administration</a>" not in client.get("/").content
    client.force_login(superuser)
    assert b"Administration</a>" in client.get("/").content
