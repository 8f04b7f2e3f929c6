"""Who may do what with quality objectives: rights, never role names."""

from accounts.permissions import has_right
from accounts.roles import Right


def can_manage_objectives(user, team_id: int) -> bool:
    return has_right(user, team_id, Right.METRICS_MANAGE)


def can_manage_reviews(user, team_id: int) -> bool:
    """Hold, edit and (as chair) close management reviews: the same right as objectives."""
    return has_right(user, team_id, Right.METRICS_MANAGE)


def can_close_review(user, review) -> bool:
    """Only the review's chair signs it closed, and only while holding the right."""
    return review.chair_id == user.pk and can_manage_reviews(user, review.team_id)


def can_complete_review_action(user, action) -> bool:
    return action.owner_id == user.pk or can_manage_reviews(user, action.review.team_id)
