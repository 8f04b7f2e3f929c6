from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.text import slugify

from core.exceptions import PermissionDenied, ValidationError

from .models import Membership, Team, User
from .permissions import can_manage_team, forget_roles
from .roles import Role

# Admins manage records through the admin site; every other role works through the app's pages.
ADMIN_SITE_APPS = ("accounts", "core", "authtoken", "axes")


def _group_name(role: str) -> str:
    return f"role:{role}"


@transaction.atomic
def roles_sync(*, user: User | None = None) -> None:
    """Mirror team roles onto Django groups and the staff flag. Idempotent: run it any number of times.

    Team-scoped rights are checked by ``permissions.py``; the groups exist so the admin site's
    model permissions follow the same roles.
    """
    groups = {}
    for role in Role.values:
        group, _ = Group.objects.get_or_create(name=_group_name(role))
        groups[role] = group
    admin_perms = Permission.objects.filter(content_type__app_label__in=ADMIN_SITE_APPS)
    groups[Role.ADMIN].permissions.set(admin_perms)
    for role, group in groups.items():
        if role != Role.ADMIN:
            group.permissions.clear()

    users = User.objects.filter(pk=user.pk) if user else User.objects.all()
    for u in users.prefetch_related("memberships", "groups"):
        roles = {m.role for m in u.memberships.all()}
        wanted = {groups[r] for r in roles}
        current = {g for g in u.groups.all() if g.name.startswith("role:")}
        if wanted != current:
            u.groups.remove(*(current - wanted))
            u.groups.add(*(wanted - current))
        staff = u.is_superuser or Role.ADMIN in roles
        if u.is_staff != staff:
            u.is_staff = staff
            u.save(update_fields=["is_staff"])
        forget_roles(u)


def roles_sync_after_migrate(**kwargs) -> None:
    roles_sync()


@transaction.atomic
def team_create(*, name: str, slug: str = "") -> Team:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A team needs a name."})
    existing = Team.objects.filter(name=name).first()
    if existing is not None:
        return existing
    slug = slug or slugify(name)[:60]
    if not slug:
        raise ValidationError({"name": "The name needs at least one letter or digit."})
    if Team.objects.filter(slug=slug).exists():
        raise ValidationError({"name": f"Another team already uses the short name {slug!r}; choose another name."})
    return Team.objects.create(name=name, slug=slug)


@transaction.atomic
def membership_grant(*, team: Team, user: User, role: str, by: User | None) -> Membership:
    """Give a user a role in a team. ``by=None`` is the system (seed, command line)."""
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if by is not None and not can_manage_team(by, team.pk):
        raise PermissionDenied("Only a team admin can change roles.")
    membership = Membership.objects.filter(team=team, user=user, role=role).first()
    if membership is None:
        membership = Membership(team=team, user=user, role=role)
        membership._change_reason = f"granted {role}"
        membership.save()
        roles_sync(user=user)
    return membership


@transaction.atomic
def membership_revoke(*, membership_id: int, by: User) -> None:
    membership = Membership.objects.select_for_update().filter(pk=membership_id).first()
    if membership is None:
        return
    if not can_manage_team(by, membership.team_id):
        raise PermissionDenied("Only a team admin can change roles.")
    membership._change_reason = f"revoked {membership.role}"
    membership.delete()
    roles_sync(user=membership.user)


def api_token_for(user: User) -> str:
    """The user's API token, created on first use. Idempotent."""
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user)
    return token.key
