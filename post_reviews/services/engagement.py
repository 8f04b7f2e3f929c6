"""Engagement figures of posts: the platform's counters, stated by imports, the API or an integration.

Engagement is not reviewed content (``ENGAGEMENT_FIELDS`` are outside ``REVIEWED_FIELDS``): a
change never withdraws an approval or sends a post back to the queue. Like the pre-check
results it is left out of the post's history (see ``Post.history``): the counters are refreshed
daily and a history row per refresh would bury the changes people made. So the writes here are
set-based UPDATEs of those columns only; ``tests/post_reviews/test_history_trail.py`` holds that
no tracked field moves this way.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import can_view_team
from core.exceptions import NotFound, PermissionDenied, ValidationError
from post_reviews import permissions as perms
from post_reviews.models import Post
from post_reviews.workflow import ENGAGEMENT_COUNTERS, ENGAGEMENT_FIELDS

from .content import PostInput, engagement_errors


def assign_engagement(post: Post, data: PostInput, now) -> bool:
    """Copy the counters ``data`` states onto ``post``; a counter not stated keeps its value.
    Returns whether any changed (and then stamps ``engagement_updated_at``)."""
    changed = False
    for key, value in data.engagement().items():
        if getattr(post, key) != value:
            setattr(post, key, value)
            changed = True
    if changed:
        post.engagement_updated_at = now
    return changed


def engagement_save_many(posts: list[Post]) -> None:
    """Store the engagement of posts whose only change is engagement: no history row (see above)."""
    if posts:
        Post.objects.bulk_update(posts, list(ENGAGEMENT_FIELDS), batch_size=1000)


@transaction.atomic
def post_engagement_update(*, post_id: int, values: dict, by: User) -> tuple[Post, bool]:
    """Set a post's engagement counters to ``values`` (a counter given as None is cleared: the
    platform no longer reports it). Counters not given keep their values. Idempotent: the same
    values again change nothing. Returns (post, changed)."""
    post = Post.objects.select_for_update(of=("self",)).select_related("account").filter(pk=post_id).first()
    if post is None or not can_view_team(by, post.team_id):
        raise NotFound("No such post.")
    if not perms.can_manage_posts(by, post.team_id):
        raise PermissionDenied("Your role can't change posts.")
    unknown = sorted(set(values) - set(ENGAGEMENT_COUNTERS))
    errors = {k: "Not an engagement counter." for k in unknown} | engagement_errors(
        {k: v for k, v in values.items() if k in ENGAGEMENT_COUNTERS}
    )
    if errors:
        raise ValidationError(errors)
    changed = {k: v for k, v in values.items() if getattr(post, k) != v}
    if not changed:
        return post, False
    for key, value in changed.items():
        setattr(post, key, value)
    post.engagement_updated_at = timezone.now()
    Post.objects.filter(pk=post.pk).update(**changed, engagement_updated_at=post.engagement_updated_at)
    return post, True
