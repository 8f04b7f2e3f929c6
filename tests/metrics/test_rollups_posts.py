"""Post rollups: posts published and reviewed, engagement and pre-check failures per post day
(published_at, else scheduled_at): known data gives known rows, every change reaches the rows
through the queue, and each team sees only its own."""

from datetime import date, timedelta

import pytest
from django.conf import settings

from metrics.definitions import METRICS
from metrics.models import PostDaily, PrecheckDaily
from metrics.selectors import Filters, engagement_by_account, metric_series
from metrics.services import rollup_metrics
from post_reviews import services
from post_reviews.models import Post
from tests.post_reviews.conftest import make_post

from .conftest import BASE, add_review, days

POST_COLS = (
    "day", "team_id", "account_id", "platform", "posts", "posts_published", "posts_reviewed", "impressions",
    "reach", "likes", "comments", "shares", "saves", "video_views", "engagements", "engagements_rated",
)  # fmt: skip
PRECHECK_COLS = ("day", "team_id", "account_id", "platform", "rule", "failures")


def label(account) -> str:
    return f"{account.get_platform_display()} @{account.handle}"


def post_snapshot() -> tuple[list, list]:
    return (
        sorted(PostDaily.objects.values_list(*POST_COLS)),
        sorted(PrecheckDaily.objects.values_list(*PRECHECK_COLS)),
    )


def _engaged(account, external_id, by, **fields):
    return make_post(account, external_id, by=by, status="published", published_at=BASE, **fields)


def test_known_posts_give_known_rows(people, accounts, checklist):
    a = _engaged(accounts.x, "e1", people.reviewer, impressions=1000, likes=30, comments=5, shares=4, saves=1)
    _engaged(accounts.x, "e2", people.reviewer, likes=10, video_views=70)  # no impressions: not in the rate
    # A sponsored post without a disclosure, scheduled for the next day: counted there, not published.
    make_post(accounts.x, "s1", by=people.reviewer, sponsored=True, status="scheduled", scheduled_at=BASE + days(1))
    make_post(accounts.x, "d1", by=people.reviewer, status="draft")  # no day: in no rollup
    make_post(accounts.other_x, "o1", by=people.outsider, status="published", published_at=BASE, impressions=5)
    add_review(a, checklist, people.qa)

    rollup_metrics()

    posts, prechecks = post_snapshot()
    team_a, team_b = people.team_a.pk, people.team_b.pk
    x, other = accounts.x.pk, accounts.other_x.pk
    assert posts == sorted(
        [
            (date(2026, 11, 2), team_a, x, "x", 2, 2, 1, 1000, 0, 40, 5, 4, 1, 70, 50, 40),
            (date(2026, 11, 3), team_a, x, "x", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            (date(2026, 11, 2), team_b, other, "x", 1, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0),
        ]
    )
    assert prechecks == [(date(2026, 11, 3), team_a, x, "x", "disclosure-missing", 1)]
    f = Filters(team_ids=frozenset({team_a}), day_from=date(2026, 11, 1), day_to=date(2026, 11, 30), interval="day")
    rate = metric_series(METRICS["engagement_rate"], f)
    assert rate[0] == {"period": "2026-11-02", "value": 4.0, "numerator": 40, "denominator": 1000}
    assert rate[1]["value"] is None  # the scheduled post's day: no impressions, no rate
    assert metric_series(METRICS["review_coverage"], f)[0]["value"] == 50.0
    assert [p["value"] for p in metric_series(METRICS["precheck_failures"], f)] == [1]
    trend = engagement_by_account(f)
    assert trend["periods"] == ["2026-11-02", "2026-11-03"]
    assert trend["accounts"] == [{"label": label(accounts.x), "rates": [4.0, None]}]


def test_engagement_updates_reach_the_rollups_and_leave_the_review_alone(people, accounts, checklist):
    post = _engaged(accounts.x, "e1", people.reviewer, impressions=100, likes=1)
    Post.objects.filter(pk=post.pk).update(approved_for_publishing=True, review_state="passed")
    rollup_metrics()
    services.post_engagement_update(post_id=post.pk, values={"impressions": 200, "likes": 9}, by=people.qa)
    rollup_metrics()
    row = PostDaily.objects.get()
    assert (row.impressions, row.likes, row.engagements_rated) == (200, 9, 9)
    post.refresh_from_db()
    assert (post.review_state, post.approved_for_publishing) == ("passed", True)


def test_moving_a_post_to_another_day_moves_its_row(people, accounts):
    post = _engaged(accounts.x, "e1", people.reviewer, impressions=100)
    rollup_metrics()
    Post.objects.filter(pk=post.pk).update(published_at=BASE + days(3))
    rollup_metrics()
    assert list(PostDaily.objects.values_list("day", "impressions")) == [(date(2026, 11, 5), 100)]


def test_a_review_submitted_days_later_counts_on_the_posts_day(people, accounts, checklist):
    post = _engaged(accounts.x, "e1", people.reviewer)
    rollup_metrics()
    add_review(post, checklist, people.qa, at=BASE + days(6))
    rollup_metrics()
    assert PostDaily.objects.get(day=date(2026, 11, 2)).posts_reviewed == 1


def test_an_import_batch_queues_few_rows_not_one_per_post(people, accounts):
    from metrics.models import RollupDirty

    items = [
        (
            accounts.x.pk,
            services.PostInput(
                external_id=f"b{n}", text="Hi", status="published", published_at=BASE + n * timedelta(seconds=7)
            ),
        )
        for n in range(50)
    ]
    services.posts_upsert_batch(account_by_id={accounts.x.pk: accounts.x}, items=items, source="csv", by=people.qa)
    assert RollupDirty.objects.count() <= 2


def test_each_team_sees_only_its_own_engagement(api_for, people, accounts):
    _engaged(accounts.x, "e1", people.reviewer, impressions=100, likes=5)
    make_post(accounts.other_x, "o1", by=people.outsider, status="published", published_at=BASE, impressions=7)
    rollup_metrics()
    query = "from=2026-11-01&to=2026-11-30&interval=day"
    ours = api_for(people.qa).get(f"/api/v1/metrics/series/?metric=impressions&{query}").json()
    theirs = api_for(people.outsider).get(f"/api/v1/metrics/series/?metric=impressions&{query}").json()
    assert [p["value"] for p in ours["points"]] == [100]
    assert [p["value"] for p in theirs["points"]] == [7]
    by_account = api_for(people.qa).get(
        f"/api/v1/metrics/series/?metric=engagement_rate&account={accounts.x.pk}&platform=x&{query}"
    )
    assert by_account.json()["points"][0]["value"] == 5.0
    none = api_for(people.qa).get(f"/api/v1/metrics/series/?metric=impressions&platform=instagram&{query}").json()
    assert none["points"] == []


def _published(account, n: int, by, start: int = 0):
    for i in range(start, start + n):
        make_post(
            account, f"d{i}", by=by, status="published", published_at=BASE + days(i % 20), impressions=100, likes=i
        )


@pytest.mark.parametrize("size", [1, 12])
def test_dashboard_has_the_engagement_chart_table_and_csv_in_bounded_queries(
    client_for, people, accounts, size, django_assert_max_num_queries
):
    for account in (accounts.x, accounts.instagram, accounts.linkedin)[: 1 if size == 1 else 3]:
        _published(account, size, people.reviewer)
    _published(accounts.other_x, 2, people.outsider)
    rollup_metrics()
    client = client_for(people.qa)
    query = "date_from=2026-11-01&date_to=2026-11-30&interval=day"
    with django_assert_max_num_queries(30):
        page = client.get(f"/metrics/?{query}")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="chart-engagement"' in html
    assert 'data-testid="table-engagement"' in html and label(accounts.x) in html
    assert label(accounts.other_x) not in html and "<script>" not in html  # no inline script (CSP)
    with django_assert_max_num_queries(30):
        csv = client.get(f"/metrics/engagement.csv?{query}").content.decode().splitlines()
    assert csv[0] == "account,period,posts_published,impressions,engagements,engagement_rate"
    first = csv[1].split(",")
    assert first[0] == label(accounts.x) and first[1] == "2026-11-02" and first[3] == "100"
    assert len(csv) - 1 == (1 if size == 1 else 3 * 12)


def test_the_orm_rebuild_sqlite_uses_gives_the_same_post_rows(people, accounts, checklist):
    from metrics.fallback_posts import rollup_posts_orm

    a = _engaged(accounts.x, "e1", people.reviewer, impressions=1000, likes=30, saves=2)
    _engaged(accounts.instagram, "e2", people.reviewer, likes=10, video_views=70)
    make_post(accounts.x, "s1", by=people.reviewer, sponsored=True, status="scheduled", scheduled_at=BASE + days(1))
    make_post(accounts.other_x, "o1", by=people.outsider, status="published", published_at=BASE, impressions=5)
    add_review(a, checklist, people.qa)
    rollup_metrics(full=True)
    sql = post_snapshot()
    assert sql[0] and sql[1]
    rollup_posts_orm(tz=settings.QMS_METRICS_TIME_ZONE)
    assert post_snapshot() == sql


def test_both_plans_give_the_same_rows(people, accounts, checklist):
    """Over INDEX_KEYS keys a run scans the posts once; up to it, one index range per key."""
    from metrics.fallback_posts import rollup_posts_orm
    from metrics.rollups_posts import INDEX_KEYS

    items = [
        (
            accounts.x.pk if n % 3 else accounts.instagram.pk,
            services.PostInput(
                external_id=f"k{n}",
                text="Hi",
                sponsored=n % 4 == 0,
                status="published" if n % 5 else "scheduled",
                published_at=BASE + days(n) if n % 5 else None,
                scheduled_at=BASE + days(n),
                impressions=None if n % 6 == 0 else 100 + n,
                likes=n,
                shares=n % 3,
            ),
        )
        for n in range(INDEX_KEYS + 10)
    ]
    by_id = {accounts.x.pk: accounts.x, accounts.instagram.pk: accounts.instagram}
    created = services.posts_upsert_batch(account_by_id=by_id, items=items, source="csv", by=people.qa)["created"]
    add_review(created[1], checklist, people.qa)
    assert rollup_metrics(full=True).keys > INDEX_KEYS
    scanned = post_snapshot()
    PostDaily.objects.all().delete()
    PrecheckDaily.objects.all().delete()
    for start in range(0, INDEX_KEYS + 10, 30):  # ranged runs of 30 days: the per-key index plan
        first = (BASE + days(start)).date()
        assert rollup_metrics(full=True, day_from=first, day_to=first + days(29)).keys <= INDEX_KEYS
    assert post_snapshot() == scanned
    rollup_posts_orm(tz=settings.QMS_METRICS_TIME_ZONE)
    assert post_snapshot() == scanned and len(scanned[0]) == INDEX_KEYS + 10  # a post a day
