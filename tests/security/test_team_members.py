"""Team administration in the product: a team's admins manage its members, audited, with guard rails."""

import pytest

from accounts.models import Membership, User
from accounts.permissions import can_manage_team
from accounts.roles import Role
from accounts.services import membership_change_role, membership_grant, membership_revoke
from core.exceptions import NotFound, PermissionDenied, ValidationError
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def members_url(team) -> str:
    return f"/accounts/teams/{team.pk}/members/"


def _membership(user, team) -> Membership:
    return Membership.objects.get(user=user, team=team)


# --- the happy path, on the page -------------------------------------------------------------


def test_a_team_admin_adds_an_existing_user_by_username_with_a_reason(client_for, people):
    newcomer = UserFactory(username="nora")
    client = client_for(people.admin)
    assert client.get(members_url(people.team_a)).status_code == 200
    response = client.post(
        members_url(people.team_a), {"username": "nora", "role": Role.REVIEWER, "reason": "joins the social desk"}
    )
    assert response.status_code == 302
    membership = _membership(newcomer, people.team_a)
    assert membership.role == Role.REVIEWER
    row = membership.history.get()
    assert row.history_type == "+"
    assert row.history_user == people.admin
    assert row.history_change_reason == "granted reviewer: joins the social desk"
    page = client.get(members_url(people.team_a)).content.decode()
    assert "joins the social desk" in page and "nora" in page


def test_a_team_admin_changes_a_role_and_the_history_says_who_and_why(client_for, people):
    membership = _membership(people.author, people.team_a)
    response = client_for(people.admin).post(
        f"{members_url(people.team_a)}{membership.pk}/role/", {"role": Role.TEAM_LEAD, "reason": "promoted"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.TEAM_LEAD
    latest = membership.history.first()
    assert latest.history_user == people.admin
    assert latest.history_change_reason == "changed reviewer to team_lead: promoted"


def test_a_team_admin_removes_a_membership_and_the_history_keeps_it(client_for, people):
    membership = _membership(people.viewer, people.team_a)
    response = client_for(people.admin).post(
        f"{members_url(people.team_a)}{membership.pk}/remove/", {"reason": "left the company"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    gone = Membership.history.filter(id=membership.pk, history_type="-").get()
    assert gone.history_user == people.admin
    assert gone.history_change_reason == "revoked viewer: left the company"


def test_an_unknown_username_is_an_error_next_to_the_field(client_for, people):
    response = client_for(people.admin).post(members_url(people.team_a), {"username": "nobody", "role": "viewer"})
    assert response.status_code == 400
    assert "No active account has this username." in response.content.decode()


# --- the forbidden paths ----------------------------------------------------------------------


def test_a_team_admin_cannot_see_or_touch_another_teams_members(client_for, people, agency_admin):
    client = client_for(agency_admin)
    brand = people.team_a
    target = _membership(people.author, brand)
    assert client.get(members_url(brand)).status_code == 404
    assert client.post(members_url(brand), {"username": "tom", "role": Role.QA_MANAGER}).status_code == 404
    assert client.post(f"{members_url(brand)}{target.pk}/role/", {"role": Role.VIEWER}).status_code == 404
    assert client.post(f"{members_url(brand)}{target.pk}/remove/").status_code == 404
    # Nor through their own team's address.
    agency = members_url(people.team_b)
    assert client.post(f"{agency}{target.pk}/role/", {"role": Role.VIEWER}).status_code == 404
    assert client.post(f"{agency}{target.pk}/remove/").status_code == 404
    target.refresh_from_db()
    assert target.role == Role.REVIEWER
    assert not Membership.objects.filter(user=agency_admin, team=brand).exists()


def test_a_member_without_the_admin_right_gets_403(client_for, people):
    client = client_for(people.qa)
    target = _membership(people.author, people.team_a)
    assert client.get(members_url(people.team_a)).status_code == 403
    assert client.post(members_url(people.team_a), {"username": "gina", "role": "viewer"}).status_code == 403
    assert client.post(f"{members_url(people.team_a)}{target.pk}/role/", {"role": "admin"}).status_code == 403
    assert client.post(f"{members_url(people.team_a)}{target.pk}/remove/").status_code == 403
    assert _membership(people.author, people.team_a).role == Role.REVIEWER


def test_a_team_admin_cannot_change_their_own_roles(client_for, people, agency_admin):
    client = client_for(agency_admin)
    own = _membership(agency_admin, people.team_b)
    assert client.post(f"{members_url(people.team_b)}{own.pk}/role/", {"role": Role.QA_MANAGER}).status_code == 403
    assert client.post(f"{members_url(people.team_b)}{own.pk}/remove/").status_code == 403
    assert client.post(members_url(people.team_b), {"username": "tom", "role": Role.QA_MANAGER}).status_code == 403
    assert list(Membership.objects.filter(user=agency_admin).values_list("role", flat=True)) == [Role.ADMIN]


def test_nobody_becomes_superuser_through_team_administration(client_for, people, agency_admin):
    client = client_for(agency_admin)
    response = client.post(
        members_url(people.team_b),
        {"username": "frank", "role": "superuser", "is_superuser": "on", "is_staff": "on"},
    )
    assert response.status_code == 400
    UserFactory(username="frank")
    client.post(members_url(people.team_b), {"username": "frank", "role": Role.ADMIN, "is_superuser": "on"})
    frank = User.objects.get(username="frank")
    assert _membership(frank, people.team_b).role == Role.ADMIN
    assert not frank.is_superuser and not frank.is_staff


def test_the_last_admin_of_a_team_stays(people):
    team = people.team_b
    only_admin = _membership(people.admin, team)
    Membership.objects.filter(team=team, role=Role.ADMIN).exclude(pk=only_admin.pk).delete()
    with pytest.raises(ValidationError):
        membership_revoke(membership_id=only_admin.pk, by=None)
    with pytest.raises(ValidationError):
        membership_change_role(membership_id=only_admin.pk, role=Role.VIEWER, by=None)
    assert _membership(people.admin, team).role == Role.ADMIN


def test_two_admins_removing_each_other_leave_one_admin(people):
    """The second of two crossing removals is refused: the service reads its actor's roles afresh
    (here), and locks the team's admin rows when the two truly overlap (the last-admin rule)."""
    team = people.team_a
    second = UserFactory(username="sam")
    MembershipFactory(user=second, team=team, role=Role.ADMIN)
    MembershipFactory(user=second, team=team, role=Role.VIEWER)
    first_admin = User.objects.get(pk=people.admin.pk)
    second_admin = User.objects.get(pk=second.pk)
    # Both loaded their roles (as two requests would) before either acts.
    assert can_manage_team(first_admin, team.pk) and can_manage_team(second_admin, team.pk)
    second_as_admin = Membership.objects.get(user=second, team=team, role=Role.ADMIN)
    membership_revoke(membership_id=second_as_admin.pk, by=first_admin)
    with pytest.raises(PermissionDenied):
        membership_revoke(membership_id=_membership(people.admin, team).pk, by=second_admin)
    assert Membership.objects.filter(team=team, role=Role.ADMIN).count() == 1


def test_services_refuse_another_teams_membership_with_not_found(people, agency_admin):
    target = _membership(people.author, people.team_a)
    with pytest.raises(NotFound):
        membership_change_role(membership_id=target.pk, role=Role.VIEWER, by=agency_admin)
    with pytest.raises(NotFound):
        membership_revoke(membership_id=target.pk, by=agency_admin)
    with pytest.raises(NotFound):
        membership_grant(team=people.team_a, user=agency_admin, role=Role.QA_MANAGER, by=agency_admin)


def test_the_members_link_shows_only_to_those_who_may_use_it(client_for, people):
    detail = f"/accounts/teams/{people.team_a.pk}/"
    assert b'data-testid="manage-members"' in client_for(people.admin).get(detail).content
    assert b'data-testid="manage-members"' in client_for(people.admin).get("/accounts/teams/").content
    assert b'data-testid="manage-members"' not in client_for(people.qa).get(detail).content
    assert b'data-testid="manage-members"' not in client_for(people.qa).get("/accounts/teams/").content
