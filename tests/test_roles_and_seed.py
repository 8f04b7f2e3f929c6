import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.models import Membership, Team, User
from accounts.permissions import has_right
from accounts.roles import Right

pytestmark = pytest.mark.django_db


def test_sync_roles_is_idempotent(people):
    call_command("sync_roles")
    groups = {g.name: set(g.user_set.values_list("username", flat=True)) for g in Group.objects.all()}
    call_command("sync_roles")
    assert {g.name: set(g.user_set.values_list("username", flat=True)) for g in Group.objects.all()} == groups
    assert "ben" in groups["role:team_lead"]
    # Staff follows superuser only: a team admin gets nothing from the admin site.
    assert not User.objects.get(username="admin").is_staff
    assert not User.objects.get(username="alice").is_staff


def test_rights_come_from_the_role_in_that_team(people):
    assert has_right(people.lead, people.team_a.pk, Right.DOCUMENT_APPROVE)
    assert not has_right(people.lead, people.team_b.pk, Right.DOCUMENT_APPROVE)
    assert not has_right(people.author, people.team_a.pk, Right.DOCUMENT_APPROVE)
    assert has_right(people.qa, people.team_a.pk, Right.CAPA_SIGN)
    assert not has_right(people.viewer, people.team_a.pk, Right.POST_REVIEW)


def test_a_user_may_hold_different_roles_in_different_teams(people):
    from accounts.services import membership_grant

    membership_grant(team=people.team_b, user=people.qa, role="reviewer", by=people.admin)
    assert has_right(people.qa, people.team_a.pk, Right.CAPA_SIGN)
    assert not has_right(people.qa, people.team_b.pk, Right.CAPA_SIGN)
    assert has_right(people.qa, people.team_b.pk, Right.POST_REVIEW)


def test_only_a_team_admin_grants_roles(people):
    from accounts.services import membership_grant
    from core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        membership_grant(team=people.team_a, user=people.author, role="team_lead", by=people.lead)
    assert not Membership.objects.filter(user=people.author, role="team_lead").exists()


def test_seed_demo_is_idempotent_and_creates_the_people(settings):
    call_command("seed_demo")
    counts = (User.objects.count(), Team.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Team.objects.count(), Membership.objects.count()) == counts
    roles = set(Membership.objects.values_list("user__username", "team__name", "role"))
    assert {
        ("alice", "Brand", "qa_manager"),
        ("ben", "Brand", "team_lead"),
        ("cara", "Brand", "team_lead"),
        ("dan", "Brand", "reviewer"),
        ("erin", "Brand", "auditor"),
        ("frank", "Agency", "reviewer"),
        ("gina", "Agency", "team_lead"),
    } <= roles
    assert User.objects.get(username="alice").check_password(settings.QMS_DEMO_PASSWORD)
    assert User.objects.get(username="admin").is_superuser


def test_history_records_who_changed_what_with_a_reason(client_for, people):
    team = people.team_a
    team.name = "Brand Studio"
    team._change_reason = "renamed after merger"
    team._history_user = people.admin
    team.save()
    page = client_for(people.qa).get(f"/accounts/teams/{team.pk}/").content.decode()
    assert "renamed after merger" in page
    assert "Brand Studio" in page and "<del>Brand</del>" in page
    latest = team.history.first()
    assert latest.history_user == people.admin


def test_history_rows_cannot_be_edited_on_postgresql(people):
    from django.db import DatabaseError, connection, transaction

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE accounts_historicalteam SET name = 'forged'")


def test_team_create_is_idempotent_by_name_and_refuses_a_clashing_short_name():
    from accounts.services import team_create
    from core.exceptions import ValidationError

    brand = team_create(name="Brand")
    assert team_create(name="Brand") == brand
    with pytest.raises(ValidationError) as clash:
        team_create(name="Brand!")  # the same short name, "brand"
    assert "name" in clash.value.errors
    with pytest.raises(ValidationError):
        team_create(name="!!!")
    assert Team.objects.filter(slug="brand").count() == 1
