from datetime import UTC, datetime, timedelta

import pytest

from post_reviews.models import Defect, PostReview, Stage
from tests.post_reviews.conftest import accounts, checklist, make_post  # noqa: F401

BASE = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def posts(people, accounts):  # noqa: F811
    return [
        make_post(accounts.x, "m1", by=people.reviewer),
        make_post(accounts.instagram, "m2", by=people.reviewer),
        make_post(accounts.other_x, "m3", by=people.outsider),
    ]


def add_review(post, checklist, reviewer, *, outcome="pass", at=BASE, seconds=60, stage=Stage.POST_PUBLICATION):  # noqa: F811
    """A review row as the service stores it (the rollups only read it)."""
    return PostReview.objects.create(
        post=post,
        team_id=post.team_id,
        reviewer=reviewer,
        checklist=checklist,
        checklist_version="SOP v1",
        stage=stage,
        outcome=outcome,
        score=100,
        time_spent_seconds=seconds,
        post_content_hash=post.content_hash,
        submitted_at=at,
    )


def add_defect(review, category="disclosure", severity="major"):
    return Defect.objects.create(
        review=review, post=review.post, team_id=review.team_id, category=category, severity=severity
    )


def days(n: int) -> timedelta:
    return timedelta(days=n)
