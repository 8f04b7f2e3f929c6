"""Who may do what with posts, checklists, reviews and sampling lots."""

from accounts.permissions import has_right, team_ids_with_right
from accounts.roles import Right


def can_manage_posts(user, team_id: int) -> bool:
    return has_right(user, team_id, Right.POST_MANAGE)


def can_review(user, team_id: int) -> bool:
    return has_right(user, team_id, Right.POST_REVIEW)


def _names_of(user) -> set[str]:
    names = {user.username, user.email, user.get_full_name(), user.printed_name}
    return {n.strip().lower() for n in names if n and n.strip()}


def is_post_author(user, post) -> bool:
    """The user wrote the post (the form), imported it or last changed its content (an import or
    the API: ``imported_by``), or is the author the import states (``author_name``: a username,
    email address or full name)."""
    if user.pk is None:
        return False
    if user.pk in (post.author_id, post.imported_by_id):
        return True
    stated = (post.author_name or "").strip().lstrip("@").lower()
    return bool(stated) and stated in _names_of(user)


def can_approve_for_publishing(user, post) -> bool:
    """ISO 9001 8.6 release: the pre-publication pass must come from someone other than the post's
    author or importer (``is_post_author``)."""
    return can_review(user, post.team_id) and not is_post_author(user, post)


def can_manage_checklists(user, team_id: int) -> bool:
    return has_right(user, team_id, Right.CHECKLIST_MANAGE)


def can_sample(user, team_id: int) -> bool:
    return has_right(user, team_id, Right.POST_REVIEW)


def can_sample_for_audit(user, team_id: int) -> bool:
    # Auditors draw the sample of a content audit (ISO 9001 9.2) from the audit, through the same
    # sampling service; the sampling page's own Draw stays with reviewers.
    return can_sample(user, team_id) or has_right(user, team_id, Right.AUDIT_RUN)


def can_retry_import(user, run) -> bool:
    return can_manage_posts(user, run.team_id)


# "In any of the user's teams": whether a page offers an action at all (Add post, Import, Draw,
# the pre-check rules). The service then checks the team the action is for with the same right.


def can_manage_posts_somewhere(user) -> bool:
    return bool(team_ids_with_right(user, Right.POST_MANAGE))


def can_sample_somewhere(user) -> bool:
    return bool(team_ids_with_right(user, Right.POST_REVIEW))


def can_manage_checklists_somewhere(user) -> bool:
    return bool(team_ids_with_right(user, Right.CHECKLIST_MANAGE))
