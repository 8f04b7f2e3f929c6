from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User
from accounts.permissions import forget_roles
from accounts.roles import Role


def _group_name(role: str) -> str:
    return f"role:{role}"


@transaction.atomic
def roles_sync(*, user: User | None = None) -> None:
    """Mirror team roles onto Django groups (``role:<name>``) and the staff flag. Idempotent.

    Team-scoped rights are checked by ``permissions.py``, never through the groups, which carry
    no model permissions: the admin site is for superusers only. ``is_staff`` follows
    ``is_superuser``, so a team admin (or anyone an older version made staff) holds nothing
    the admin site would honour.
    """
    groups = {}
    for role in Role.values:
        group, _ = Group.objects.get_or_create(name=_group_name(role))
        group.permissions.clear()
        groups[role] = group

    users = User.objects.filter(pk=user.pk) if user else User.objects.all()
    for u in users.prefetch_related("memberships", "groups"):
        roles = {m.role for m in u.memberships.all()}
        wanted = {groups[r] for r in roles}
        current = {g for g in u.groups.all() if g.name.startswith("role:")}
        if wanted != current:
            u.groups.remove(*(current - wanted))
            u.groups.add(*(wanted - current))
        if u.is_staff != u.is_superuser:
            u.is_staff = u.is_superuser
            u.save(update_fields=["is_staff"])
        forget_roles(u)


def roles_sync_after_migrate(**kwargs) -> None:
    roles_sync()
