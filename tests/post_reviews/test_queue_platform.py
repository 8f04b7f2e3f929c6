"""The platform-filtered queue merges per-account pages; it must equal filtering the whole queue."""

import pytest

from accounts.permissions import team_ids_of
from post_reviews import selectors, services
from post_reviews.models import Post
from tests.post_reviews.conftest import make_posts

pytestmark = pytest.mark.django_db


def test_platform_queue_equals_the_filtered_team_queue_page_by_page(people, accounts):
    second_x = services.account_create(team_id=people.team_a.pk, platform="x", handle="brand2", by=people.qa)
    make_posts(accounts.x, 30, by=people.qa, prefix="a")
    make_posts(second_x, 25, by=people.qa, prefix="b", sponsored=True)  # no disclosure: pre-check failures
    make_posts(accounts.instagram, 20, by=people.qa, prefix="c")
    team_ids = team_ids_of(people.qa)
    expected = [
        p.pk
        for p in Post.objects.filter(team_id__in=team_ids, account__platform="x").order_by("-precheck_failures", "id")
    ]
    got, after = [], None
    while True:
        page = selectors.review_queue(selectors.QueueFilters(team_ids=team_ids, platform="x"), after=after, limit=20)
        if not page:
            break
        got += [p.pk for p in page]
        after = (page[-1].precheck_failures, page[-1].pk)
    assert got == expected
    assert len(got) == 55
