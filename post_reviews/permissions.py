"""Who may do what with posts, checklists, reviews and sampling lots."""

from accounts.permissions import has_right
from accounts.roles import Right


def can_manage_posts(user, team_id: int) -> bool:
    return has_right(user, team_id, Right.POST_MANAGE)


def can_review(user, team_id: int) -> bool:
    return has_right(user, team_id, Right.POST_REVIEW)


def is_post_author(user, post) -> bool:
    return post.author_id is not None and post.author_id == user.pk


def can_approve_for_publishing(user, post) -> bool:
    """ISO 9001 8.6 release: the pre-publication pass must come from someone other than the author."""
    return can_review(user, post.team_id) and not is_post_author(user, post)


def can_manage_checklists(user, team_id: int) -> bool:
    return has_right(user, team_id, Right.CHECKLIST_MANAGE)


def can_sample(user, team_id: int) -> bool:
    # Auditors draw the sample of a content audit (ISO 9001 9.2) through the same service.
    return has_right(user, team_id, Right.POST_REVIEW) or has_right(user, team_id, Right.AUDIT_RUN)
