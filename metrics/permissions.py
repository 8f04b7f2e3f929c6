"""Who may do what with quality objectives: rights, never role names."""

from accounts.permissions import has_right
from accounts.roles import Right


def can_manage_objectives(user, team_id: int) -> bool:
    return has_right(user, team_id, Right.METRICS_MANAGE)
