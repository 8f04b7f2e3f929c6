"""Teams, memberships and roles.

Who may change a team's members: a holder of the ``manage_team`` right in that team
(``can_manage_team``), never for another team, never their own roles (separation of duties:
an admin can't hand themselves a QA manager's signing rights), and never so that a team is
left without an admin. Nothing here sets ``is_superuser`` or ``is_staff``: those stay with the
command line and the superuser-only admin site. Every change is a history row on
``Membership`` with the acting user and a reason.
"""

from django.db import transaction
from django.utils.text import slugify

from accounts.models import Membership, Team, User
from accounts.permissions import can_manage_team, forget_roles, team_ids_of
from accounts.roles import Role
from core.exceptions import NotFound, PermissionDenied, ValidationError
from core.services import audited_save

from .roles import roles_sync

# The history's change-reason column holds 100 characters: what was done (up to ~35) + the reason.
REASON_MAX = 60


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


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}. Choose one of: {', '.join(Role.values)}."})


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX} characters."})
    return reason


def _ensure_can_manage(by: User | None, team_id: int, target: User) -> None:
    """``by=None`` is the system (seed, command line) and may do anything."""
    if by is None:
        return
    # Read the actor's roles afresh: another admin may have just removed them.
    forget_roles(by)
    if team_id not in team_ids_of(by):
        # Another team's members: the same answer as a team that doesn't exist.
        raise NotFound("No such team.")
    if not can_manage_team(by, team_id):
        raise PermissionDenied("Only an admin of this team can change its members and roles.")
    if target.pk == by.pk:
        raise PermissionDenied("You can't change your own roles; ask another admin of the team.")


def _admin_ids_locked(team_id: int) -> set[int]:
    return set(
        Membership.objects.select_for_update(of=("self",))
        .filter(team_id=team_id, role=Role.ADMIN, user__is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _ensure_an_admin_remains(team_id: int, leaving: Membership) -> None:
    """Refuse to take the team's last admin role away (the admin rows are locked by then, so two
    admins removing each other at the same moment can't both succeed)."""
    if leaving.role != Role.ADMIN:
        return
    if not _admin_ids_locked(team_id) - {leaving.pk}:
        raise ValidationError({"role": "A team needs at least one admin: make someone else admin first."})


def _change_reason(what: str, reason: str) -> str:
    return f"{what}: {reason}" if reason else what


@transaction.atomic
def membership_grant(*, team: Team, user: User, role: str, by: User | None, reason: str = "") -> Membership:
    """Give a user a role in a team. Idempotent: a role already held is returned as it is."""
    _check_role(role)
    reason = _check_reason(reason)
    _ensure_can_manage(by, team.pk, user)
    if not user.is_active:
        raise ValidationError({"username": "This account is deactivated."})
    membership = Membership.objects.filter(team=team, user=user, role=role).first()
    if membership is None:
        membership = Membership(team=team, user=user, role=role)
        audited_save(membership, by=by, reason=_change_reason(f"granted {role}", reason))
        roles_sync(user=user)
    return membership


def _locked_membership(team_id: int | None, membership_id: int) -> Membership:
    qs = Membership.objects.filter(pk=membership_id)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    found_team_id = qs.values_list("team_id", flat=True).first()
    if found_team_id is None:
        raise NotFound("No such membership.")
    # The team's admin rows first, always in the same order, then the target: two admins acting
    # on each other at the same moment queue up instead of deadlocking.
    _admin_ids_locked(found_team_id)
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=membership_id, team_id=found_team_id)
        .first()
    )
    if membership is None:
        raise NotFound("No such membership.")
    return membership


@transaction.atomic
def membership_change_role(
    *, membership_id: int, role: str, by: User | None, team_id: int | None = None, reason: str = ""
) -> Membership:
    """Change one membership's role. ``team_id``, when given, is the team the caller addressed:
    a membership of any other team is NotFound."""
    _check_role(role)
    reason = _check_reason(reason)
    if by is not None and team_id is not None and team_id not in team_ids_of(by):
        raise NotFound("No such team.")
    membership = _locked_membership(team_id, membership_id)
    _ensure_can_manage(by, membership.team_id, membership.user)
    if membership.role == role:
        return membership
    if Membership.objects.filter(team_id=membership.team_id, user_id=membership.user_id, role=role).exists():
        raise ValidationError({"role": f"{membership.user} already holds this role in the team."})
    _ensure_an_admin_remains(membership.team_id, membership)
    what = f"changed {membership.role} to {role}"
    membership.role = role
    audited_save(membership, by=by, reason=_change_reason(what, reason), fields=["role"])
    roles_sync(user=membership.user)
    return membership


@transaction.atomic
def membership_revoke(*, membership_id: int, by: User | None, team_id: int | None = None, reason: str = "") -> None:
    """Take a role away. The history keeps the deleted row with who removed it and why."""
    reason = _check_reason(reason)
    if by is not None and team_id is not None and team_id not in team_ids_of(by):
        raise NotFound("No such team.")
    membership = _locked_membership(team_id, membership_id)
    _ensure_can_manage(by, membership.team_id, membership.user)
    _ensure_an_admin_remains(membership.team_id, membership)
    # The deletion's history row: the same who and why as audited_save gives a save.
    membership._history_user = by
    membership._change_reason = _change_reason(f"revoked {membership.role}", reason)[:100]
    membership.delete()
    roles_sync(user=membership.user)
