import pytest

from accounts.roles import Role
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def agency_admin(people):
    """The attacker of issue 9: admin of Agency only, not a superuser."""
    from accounts.services import roles_sync

    user = UserFactory(username="tom")
    MembershipFactory(user=user, team=people.team_b, role=Role.ADMIN)
    roles_sync()
    user.refresh_from_db()
    return user


@pytest.fixture
def superuser(db):
    user = UserFactory(username="root")
    user.is_superuser = True
    user.is_staff = True
    user.save()
    return user
