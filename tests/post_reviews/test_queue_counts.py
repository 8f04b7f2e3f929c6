"""The queue's counts come from the trigger-kept QueueCount table; they must always equal a
count of the waiting posts, whatever wrote the posts. And the queue of several teams (or
accounts), read per team and merged, must equal the whole filtered queue page by page."""

import pytest
from django.db import connection
from django.db.models import Count

from accounts.permissions import team_ids_of
from accounts.roles import Role
from post_reviews import selectors
from post_reviews.models import Post, QueueCount
from post_reviews.queue_counts import REBUILD
from post_reviews.workflow import WAITING
from tests.factories import MembershipFactory
from tests.post_reviews.conftest import make_post, make_posts, results_for
from tests.post_reviews.test_reviews import submit

pytestmark = pytest.mark.django_db


def live_counts() -> dict:
    rows = (
        Post.objects.filter(review_state__in=WAITING)
        .values_list("account_id", "team_id", "status", "campaign")
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict = {}
    for account_id, team_id, status, campaign, n in rows:
        key = (account_id, team_id, status == "published", campaign)
        out[key] = out.get(key, 0) + n
    return out


def kept_counts() -> dict:
    rows = QueueCount.objects.exclude(waiting=0)
    rows = rows.values_list("account_id", "team_id", "published", "campaign", "waiting")
    return {r[:4]: r[4] for r in rows}


def test_counts_follow_imports_edits_reviews_and_deletes(people, accounts, checklist):
    make_posts(accounts.x, 12, by=people.qa, campaign="autumn")
    make_posts(accounts.instagram, 5, by=people.qa, prefix="i", status="draft")
    make_posts(accounts.other_x, 3, by=people.outsider)
    assert kept_counts() == live_counts() and sum(kept_counts().values()) == 20
    # An edit moving a post to another campaign and back to draft; a set-based update.
    make_post(accounts.x, "p0", by=people.qa, text="Post number 0.", campaign="winter", status="draft")
    Post.objects.filter(account=accounts.instagram).update(status="published")
    assert kept_counts() == live_counts()
    # A review takes a post out of the queue (its author is not the reviewer).
    reviewed = Post.objects.filter(account=accounts.x, campaign="autumn").first()
    submit(reviewed, checklist, people.reviewer, stage="post_publication", results=results_for(checklist))
    assert kept_counts() == live_counts() and sum(kept_counts().values()) == 19
    Post.objects.filter(account=accounts.other_x).delete()
    assert kept_counts() == live_counts() and sum(kept_counts().values()) == 16
    # A full rebuild (after writes with the triggers off) lands on the same counts.
    before = kept_counts()
    with connection.cursor() as cursor:
        cursor.execute(REBUILD)
    assert kept_counts() == before


def test_queue_counts_per_filter_equal_counting_the_posts(people, accounts, client_for):
    make_posts(accounts.x, 6, by=people.qa, campaign="autumn")
    make_posts(accounts.linkedin, 4, by=people.qa, status="draft")
    team_ids = team_ids_of(people.qa)
    for f in (
        selectors.QueueFilters(team_ids=team_ids),
        selectors.QueueFilters(team_ids=team_ids, campaign="autumn"),
        selectors.QueueFilters(team_ids=team_ids, stage="pre_publication"),
        selectors.QueueFilters(team_ids=team_ids, stage="post_publication", campaign="autumn"),
    ):
        counts = selectors.queue_counts(f)
        live = dict(selectors._queue_base(f).values_list("account_id").annotate(n=Count("id")).order_by())
        assert {a["account_id"]: a["n"] for a in counts["accounts"]} == live
        assert counts["total"] == sum(live.values())


def test_queue_of_several_teams_equals_the_filtered_queue_page_by_page(people, accounts):
    MembershipFactory(user=people.qa, team=people.team_b, role=Role.QA_MANAGER)
    make_posts(accounts.x, 23, by=people.qa, prefix="a")
    make_posts(accounts.instagram, 9, by=people.qa, prefix="b", sponsored=True)  # pre-check failures
    make_posts(accounts.other_x, 17, by=people.outsider, prefix="c", sponsored=True)
    team_ids = {people.team_a.pk, people.team_b.pk}
    for f, where in (
        (selectors.QueueFilters(team_ids=team_ids), {}),
        (selectors.QueueFilters(team_ids=team_ids, platform="x"), {"account__platform": "x"}),
        (selectors.QueueFilters(team_ids=team_ids, account=accounts.other_x.pk), {"account": accounts.other_x}),
        (selectors.QueueFilters(team_ids={people.team_a.pk}, account=accounts.other_x.pk), {"pk": None}),
    ):
        expected = [
            p.pk
            for p in Post.objects.filter(team_id__in=f.team_ids, review_state__in=WAITING, **where).order_by(
                "-precheck_failures", "id"
            )
        ]
        got, after = [], None
        while page := selectors.review_queue(f, after=after, limit=10):
            got += [p.pk for p in page]
            after = (page[-1].precheck_failures, page[-1].pk)
        assert got == expected, f
