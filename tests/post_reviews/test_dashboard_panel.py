"""The home page's queue panel: the waiting count from the kept queue counts, the failed-pre-check
count capped, both in the user's teams only."""

import pytest
from django.test import RequestFactory

from post_reviews import selectors
from tests.post_reviews.conftest import make_posts

pytestmark = pytest.mark.django_db


def panel_for(user) -> dict:
    request = RequestFactory().get("/")
    request.user = user
    return selectors.dashboard_panel(request)


def test_the_panel_counts_the_teams_waiting_and_flagged_posts(people, accounts):
    make_posts(accounts.instagram, 5, by=people.qa, prefix="clean")
    make_posts(accounts.instagram, 3, by=people.qa, prefix="flag", sponsored=True)  # no disclosure
    make_posts(accounts.other_x, 4, by=people.outsider, prefix="other")  # another team's

    panel = panel_for(people.qa)
    assert panel["waiting"] == 8 and panel["flagged"] == 3 and not panel["flagged_more"]
    assert panel_for(people.outsider)["waiting"] == 4


def test_the_flagged_count_stops_at_its_cap(people, accounts, monkeypatch):
    monkeypatch.setattr(selectors, "FLAGGED_SHOWN", 2)
    make_posts(accounts.instagram, 3, by=people.qa, prefix="flag", sponsored=True)
    panel = panel_for(people.qa)
    assert panel["flagged"] == 2 and panel["flagged_more"]


def test_the_panel_reads_a_bounded_number_of_rows(people, accounts, django_assert_max_num_queries):
    make_posts(accounts.instagram, 30, by=people.qa, prefix="p")
    with django_assert_max_num_queries(3):
        panel_for(people.qa)
