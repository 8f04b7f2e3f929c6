"""Rollups: known data gives known rows; incremental equals full; re-runs change nothing; a
late-committing row is counted; every number is scoped to its team."""

from datetime import date, timedelta

import psycopg
import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.models import DefectDaily, ReviewDaily, RollupDirty
from metrics.services import rollup_metrics
from post_reviews import services
from post_reviews.models import Defect, Post, PostReview

from .conftest import BASE, add_defect, add_review, days
from .test_rollups_posts import post_snapshot

REVIEW_COLS = (
    "day",
    "team_id",
    "account_id",
    "platform",
    "stage",
    "reviews",
    "passed",
    "passed_minor",
    "failed",
    "review_seconds",
)
DEFECT_COLS = ("day", "team_id", "account_id", "platform", "category", "severity", "defects")


def snapshot() -> tuple[list, list]:
    return (
        sorted(ReviewDaily.objects.values_list(*REVIEW_COLS)),
        sorted(DefectDaily.objects.values_list(*DEFECT_COLS)),
    )


def test_known_reviews_and_defects_give_known_rows(people, posts, checklist):
    x, ig, _other = posts
    first = add_review(x, checklist, people.qa, outcome="pass", seconds=30)
    add_review(x, checklist, people.qa, outcome="fail", seconds=90)
    add_defect(first, "link", "minor")
    add_review(ig, checklist, people.qa, outcome="pass_minor", at=BASE + days(1))

    rollup_metrics()

    reviews, defects = snapshot()
    assert reviews == [
        (date(2026, 11, 2), x.team_id, x.account_id, "x", "post_publication", 2, 1, 0, 1, 120),
        (date(2026, 11, 3), ig.team_id, ig.account_id, "instagram", "post_publication", 1, 0, 1, 0, 60),
    ]
    assert defects == [(date(2026, 11, 2), x.team_id, x.account_id, "x", "link", "minor", 1)]
    assert RollupDirty.objects.count() == 0


def test_business_day_follows_the_metrics_time_zone(people, posts, checklist, settings):
    settings.QMS_METRICS_TIME_ZONE = "America/New_York"
    x = posts[0]
    # 02:00 UTC on the 3rd is still the 2nd in New York.
    add_review(x, checklist, people.qa, at=BASE.replace(day=3, hour=2))
    rollup_metrics()
    assert ReviewDaily.objects.get().day == date(2026, 11, 2)


def test_a_rerun_changes_nothing_and_a_change_is_picked_up(people, posts, checklist):
    x = posts[0]
    review = add_review(x, checklist, people.qa, outcome="pass")
    rollup_metrics()
    before = snapshot()
    assert rollup_metrics().keys == 0
    assert snapshot() == before

    PostReview.objects.filter(pk=review.pk).update(outcome="fail")
    rollup_metrics()
    assert ReviewDaily.objects.get().failed == 1

    Defect.objects.filter(review=review).delete()
    review.delete()
    rollup_metrics()
    assert snapshot() == ([], [])


OPS = st.lists(
    st.tuples(
        # Reviews and defects, then the post rollups: publish a post on a day, schedule or
        # unschedule it, change its engagement (the service and a bare UPDATE), its pre-checks.
        st.sampled_from(
            [
                *("add", "fail", "move", "delete", "defect", "recategorise", "undefect", "run"),
                *("publish", "schedule", "undate", "engage", "engage_sql", "flag", "unflag"),
            ]
        ),
        st.integers(0, 2),  # which post
        st.integers(0, 9),  # which day / which row
    ),
    max_size=25,
)


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_incremental_runs_equal_a_full_rebuild(people, posts, checklist, ops):
    for op, which, n in ops:
        reviews = list(PostReview.objects.order_by("id"))
        review = reviews[n % len(reviews)] if reviews else None
        if op == "add":
            add_review(
                posts[which], checklist, people.qa, outcome=["pass", "pass_minor", "fail"][n % 3], at=BASE + days(n)
            )
        elif op == "fail" and review:
            PostReview.objects.filter(pk=review.pk).update(outcome="fail")
        elif op == "move" and review:
            PostReview.objects.filter(pk=review.pk).update(submitted_at=BASE + days(n))
        elif op == "delete" and review:
            review.defects.all().delete()
            review.delete()
        elif op == "defect" and review:
            add_defect(review, ["link", "disclosure", "timing"][which], "minor")
        elif op == "recategorise" and review:
            Defect.objects.filter(review=review).update(category="other")
        elif op == "undefect" and review:
            Defect.objects.filter(review=review).delete()
        elif op == "run":
            rollup_metrics()
        else:
            _post_op(op, posts[which], n, people)
    rollup_metrics()
    incremental = snapshot(), post_snapshot()
    rollup_metrics(full=True)
    assert (snapshot(), post_snapshot()) == incremental


def _post_op(op: str, post, n: int, people) -> None:
    rows = Post.objects.filter(pk=post.pk)
    if op == "publish":
        rows.update(status="published", published_at=BASE + days(n) + timedelta(hours=n))
    elif op == "schedule":
        rows.update(status="scheduled", published_at=None, scheduled_at=BASE + days(n))
    elif op == "undate":
        rows.update(status="draft", published_at=None, scheduled_at=None)
    elif op == "engage":
        owner = people.outsider if post.team_id == people.team_b.pk else people.qa
        services.post_engagement_update(post_id=post.pk, values={"impressions": 100 * n, "likes": n}, by=owner)
    elif op == "engage_sql":
        rows.update(impressions=None if n % 3 == 0 else n, shares=n, saves=n % 2)
    elif op == "flag":
        finding = {"rule": ["malformed-url", "banned-term"][n % 2], "severity": "major", "message": "", "spans": []}
        rows.update(prechecks=[finding, {**finding, "rule": "utm-missing", "severity": "minor"}], precheck_failures=1)
    elif op == "unflag":
        rows.update(prechecks=[], precheck_failures=0)


@pytest.mark.django_db(transaction=True)
def test_a_row_committed_after_the_run_started_is_counted_by_the_next_run(people, posts, checklist):
    x = posts[0]
    template = add_review(x, checklist, people.qa)
    rollup_metrics()
    assert ReviewDaily.objects.get().reviews == 1

    # Another connection writes a review and holds its transaction open across a rollup run.
    params = connection.get_connection_params()
    dsn = {k: v for k, v in params.items() if k in ("host", "port", "user", "dbname", "password") and v}
    with psycopg.connect(**dsn) as other:
        other.execute(
            "INSERT INTO post_reviews_postreview (post_id, team_id, reviewer_id, checklist_id, checklist_version,"
            " stage, outcome, score, time_spent_seconds, post_content_hash, notes, submitted_at)"
            " SELECT post_id, team_id, reviewer_id, checklist_id, checklist_version, stage, 'fail', score,"
            " time_spent_seconds, post_content_hash, '', submitted_at FROM post_reviews_postreview WHERE id = %s",
            [template.pk],
        )
        rollup_metrics()  # cannot see the in-flight review
        assert ReviewDaily.objects.get().reviews == 1
        other.commit()
    rollup_metrics()
    row = ReviewDaily.objects.get()
    assert (row.reviews, row.failed) == (2, 1)


def test_two_runs_at_once_do_not_interleave(people, posts, checklist, django_db_blocker, settings):
    settings.QMS_ROLLUP_LOCK_WAIT_SECONDS = 0.5  # it waits that long for the lock, then skips
    add_review(posts[0], checklist, people.qa)
    params = connection.get_connection_params()
    dsn = {k: v for k, v in params.items() if k in ("host", "port", "user", "dbname", "password") and v}
    with psycopg.connect(**dsn) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [0x514D534D])
        run = rollup_metrics()
        other.execute("SELECT pg_advisory_unlock(%s)", [0x514D534D])
    assert run.skipped and ReviewDaily.objects.count() == 0
    assert RollupDirty.objects.count() >= 1  # left for the next run


def test_the_few_keys_and_the_many_keys_statements_give_the_same_rows(people, posts, checklist, monkeypatch):
    # Runs of up to FEW_KEYS keys read each key's reviews by index; bigger ones hash-join them
    # by day. Tests have few keys: force the other statements too, and compare.
    from metrics import rollups

    x, ig, other = posts
    for n, post in enumerate((x, ig, other, x)):
        review = add_review(post, checklist, people.qa, outcome=("pass", "fail")[n % 2], at=BASE + days(n))
        add_defect(review, "link", "minor")
    add_review(ig, checklist, people.qa, outcome="pass_minor", at=BASE.replace(hour=23, minute=30))
    rollup_metrics(full=True)
    few = snapshot()
    monkeypatch.setattr(rollups, "FEW_KEYS", 0)
    ReviewDaily.objects.all().delete()
    DefectDaily.objects.all().delete()
    rollup_metrics(full=True)
    assert snapshot() == few and len(few[0]) >= 4 and len(few[1]) >= 4
