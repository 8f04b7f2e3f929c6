"""Two admins removing each other at the same moment: one wins, the team keeps an admin, no deadlock."""

import threading

import pytest
from django.db import connection

from accounts.models import Membership, User
from accounts.roles import Role
from accounts.services import membership_change_role, membership_revoke
from core.exceptions import DomainError
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def _act(change: str, team_id: int, actor_id: int, target_id: int):
    actor = User.objects.get(pk=actor_id)  # its own object, as a second request would have
    if change == "revoke":
        return membership_revoke(team_id=team_id, membership_id=target_id, by=actor)
    return membership_change_role(team_id=team_id, membership_id=target_id, role=Role.REVIEWER, by=actor)


@pytest.mark.parametrize("change", ["revoke", "demote"])
def test_two_admins_acting_on_each_other_at_once_leave_one_admin(change):
    for round_no in range(8):
        team = TeamFactory(name=f"Race {change} {round_no}")
        a, b = UserFactory(username=f"a{change}{round_no}"), UserFactory(username=f"b{change}{round_no}")
        admin_a = MembershipFactory(user=a, team=team, role=Role.ADMIN)
        admin_b = MembershipFactory(user=b, team=team, role=Role.ADMIN)
        for u in (a, b):
            MembershipFactory(user=u, team=team, role=Role.VIEWER)

        results = _race(
            lambda args=(change, team.pk, a.pk, admin_b.pk): _act(*args),
            lambda args=(change, team.pk, b.pk, admin_a.pk): _act(*args),
        )
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1, results
        assert isinstance(errors[0], DomainError), results  # refused, never a deadlock or a 500
        assert Membership.objects.filter(team=team, role=Role.ADMIN).count() == 1
