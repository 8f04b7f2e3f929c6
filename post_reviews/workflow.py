"""Post reviews' states and the moves between them, checked by ``core.workflow.assert_transition``.

A post's review state follows its reviews and its content: a review passes or fails it, and a
change to what was reviewed (``REVIEWED_FIELDS``) sends a reviewed post back as "changed since
review". A sampling lot is decided once, when its sample is fully reviewed.
"""

from django.db import models


class PostStatus(models.TextChoices):
    """Where the post is on its platform (stated by the form, the API or the import)."""

    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"


class ReviewState(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    CHANGED = "changed", "Changed since review"


# Posts in the review queue.
WAITING = (ReviewState.PENDING, ReviewState.CHANGED)

REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    ReviewState.PENDING: frozenset({ReviewState.PASSED, ReviewState.FAILED}),
    # A reviewed post is reviewed again (a post-publication sample, a correction) or changes.
    ReviewState.PASSED: frozenset({ReviewState.PASSED, ReviewState.FAILED, ReviewState.CHANGED}),
    ReviewState.FAILED: frozenset({ReviewState.PASSED, ReviewState.FAILED, ReviewState.CHANGED}),
    ReviewState.CHANGED: frozenset({ReviewState.PASSED, ReviewState.FAILED}),
}

# ISO 9001 8.5.6: the fields the pre-checks or a checklist read. A change to any of them withdraws
# the post's approval for publishing, marks its earlier reviews "changed since review" (the post's
# content hash covers exactly these fields) and re-runs the pre-checks, on every write path: the
# form, the API (one post or many), CSV and X-archive imports (ORM and COPY). The status,
# publication time and stated author are not reviewed content.
REVIEWED_FIELDS: tuple[str, ...] = ("text", "media", "url", "campaign", "sponsored", "scheduled_at")

# The platform's engagement counters of a post, and when they were last stated. Not reviewed
# content (never in REVIEWED_FIELDS): updating them leaves the review state and the approval as
# they are. Each counter is None until a platform reports it.
ENGAGEMENT_COUNTERS: tuple[str, ...] = ("impressions", "reach", "likes", "comments", "shares", "saves", "video_views")
ENGAGEMENT_FIELDS: tuple[str, ...] = (*ENGAGEMENT_COUNTERS, "engagement_updated_at")


class LotStatus(models.TextChoices):
    OPEN = "open", "Sample being reviewed"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


LOT_TRANSITIONS: dict[str, frozenset[str]] = {
    LotStatus.OPEN: frozenset({LotStatus.ACCEPTED, LotStatus.REJECTED}),
    LotStatus.ACCEPTED: frozenset(),
    LotStatus.REJECTED: frozenset(),
}
