"""/api/v1/teams/{id}/members/: the same services and guard rails as the page."""

import pytest

from accounts.models import Membership, User
from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(team, pk=None) -> str:
    base = f"/api/v1/teams/{team.pk}/members/"
    return f"{base}{pk}/" if pk else base


def test_a_member_lists_the_team_and_an_outsider_gets_404(api_for, people):
    response = api_for(people.qa).get(url(people.team_a))
    assert response.status_code == 200
    usernames = {row["username"] for row in response.json()["results"]}
    assert {"alice", "dan", "admin"} <= usernames
    assert api_for(people.outsider).get(url(people.team_a)).status_code == 404


def test_an_admin_adds_changes_and_removes_members(api_for, people):
    UserFactory(username="nora")
    api = api_for(people.admin)
    created = api.post(url(people.team_a), {"username": "nora", "role": "reviewer", "reason": "new hire"})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["username"] == "nora" and body["role"] == "reviewer"
    changed = api.patch(url(people.team_a, body["id"]), {"role": "team_lead", "reason": "promoted"})
    assert changed.status_code == 200
    assert changed.json()["role"] == "team_lead"
    removed = api.delete(url(people.team_a, body["id"]) + "?reason=left")
    assert removed.status_code == 204
    reasons = list(Membership.history.filter(id=body["id"]).values_list("history_change_reason", "history_user"))
    assert reasons == [
        ("revoked team_lead: left", people.admin.pk),
        ("changed reviewer to team_lead: promoted", people.admin.pk),
        ("granted reviewer: new hire", people.admin.pk),
    ]


def test_bad_input_is_a_400_by_field(api_for, people):
    api = api_for(people.admin)
    assert set(api.post(url(people.team_a), {"username": "nobody", "role": "viewer"}).json()) == {"username"}
    assert set(api.post(url(people.team_a), {"username": "dan", "role": "superuser"}).json()) == {"role"}


def test_forbidden_paths(api_for, people, agency_admin):
    brand_member = Membership.objects.get(user=people.author, team=people.team_a)
    own = Membership.objects.get(user=agency_admin, team=people.team_b)
    tom = api_for(agency_admin)
    # Another team: 404, whichever address is used.
    assert tom.post(url(people.team_a), {"username": "tom", "role": "qa_manager"}).status_code == 404
    assert tom.patch(url(people.team_a, brand_member.pk), {"role": "viewer"}).status_code == 404
    assert tom.patch(url(people.team_b, brand_member.pk), {"role": "viewer"}).status_code == 404
    assert tom.delete(url(people.team_b, brand_member.pk)).status_code == 404
    # Their own roles: 403.
    assert tom.patch(url(people.team_b, own.pk), {"role": "qa_manager"}).status_code == 403
    assert tom.delete(url(people.team_b, own.pk)).status_code == 403
    # A member without the admin right: 403.
    qa = api_for(people.qa)
    assert qa.post(url(people.team_a), {"username": "gina", "role": "viewer"}).status_code == 403
    assert qa.patch(url(people.team_a, brand_member.pk), {"role": "admin"}).status_code == 403
    assert qa.delete(url(people.team_a, brand_member.pk)).status_code == 403
    # No superuser through the API.
    UserFactory(username="frank")
    assert tom.post(url(people.team_b), {"username": "frank", "role": "admin", "is_superuser": True}).status_code == 201
    assert not User.objects.filter(is_superuser=True).exists()
    brand_member.refresh_from_db()
    assert brand_member.role == Role.REVIEWER
    assert list(Membership.objects.filter(user=agency_admin).values_list("role", flat=True)) == [Role.ADMIN]
