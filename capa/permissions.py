"""Who may do what with nonconformities and CAPAs. One predicate per step; services, API, views and
templates all ask these."""

from accounts.permissions import has_right, team_ids_with_right
from accounts.roles import Right
from core.exceptions import PermissionDenied


def can_raise(user, team_id: int) -> bool:
    return has_right(user, team_id, Right.NC_RAISE)


def can_raise_somewhere(user) -> bool:
    """Whether pages offer "Raise a nonconformity" (the service checks the chosen team)."""
    return bool(team_ids_with_right(user, Right.NC_RAISE))


def can_work(user, obj) -> bool:
    """Containment, opening a CAPA, root cause, planning, implementing, verifying."""
    return has_right(user, obj.team_id, Right.CAPA_WORK)


def can_sign(user, obj) -> bool:
    """Closure, concessions, "no corrective action needed" and cancelling: QA managers."""
    return has_right(user, obj.team_id, Right.CAPA_SIGN)


can_close = can_sign
can_cancel = can_sign
can_decide_no_action = can_sign


def can_complete_item(user, item) -> bool:
    """The item's owner, or anyone who works CAPAs in the team."""
    return item.owner_id == user.pk or has_right(user, item.corrective_action.team_id, Right.CAPA_WORK)


def raise_team_ids(user) -> set[int]:
    return team_ids_with_right(user, Right.NC_RAISE)


def ensure(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
