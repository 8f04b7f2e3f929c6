"""Lists cost a bounded number of queries whatever their length, page by keyset and stay in the team."""

import pytest

from post_reviews import services
from post_reviews.models import Post
from tests.post_reviews.conftest import CHECKLIST_ITEMS, make_post, make_posts, results_for

pytestmark = pytest.mark.django_db


def review_all(people, checklist, posts):
    for post in posts:
        services.review_submit(
            data=services.ReviewInput(
                post_id=post.pk,
                checklist_id=checklist.pk,
                stage="post_publication",
                results=results_for(checklist, item_4="fail"),
                defects=[{"category": "spelling_grammar", "severity": "minor", "note": "Typo"}],
            ),
            by=people.reviewer,
        )


def add_checklists(people, checklist, count, start=0):
    for n in range(start, start + count):
        services.checklist_create(
            version_id=checklist.document_version_id, name=f"Checklist {n}", items=CHECKLIST_ITEMS, by=people.qa
        )


def test_queue_page_query_count_does_not_grow_with_the_queue(
    people, accounts, client_for, django_assert_max_num_queries
):
    make_posts(accounts.instagram, 3, by=people.qa, prefix="ig", sponsored=True)
    make_posts(accounts.x, 2, by=people.qa, prefix="x")
    client = client_for(people.reviewer)
    client.get("/reviews/")  # warm the session and caches
    with django_assert_max_num_queries(20) as small:
        assert client.get("/reviews/").status_code == 200
    make_posts(accounts.instagram, 15, by=people.qa, prefix="ig", start=3, sponsored=True)
    make_posts(accounts.linkedin, 15, by=people.qa, prefix="li")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/reviews/")
    assert len(response.context["posts"]) == 35


def test_api_lists_query_count_does_not_grow_with_the_rows(
    people, accounts, checklist, api_for, django_assert_max_num_queries
):
    posts = make_posts(accounts.instagram, 3, by=people.qa, prefix="ig")
    review_all(people, checklist, posts)
    add_checklists(people, checklist, 2)
    api = api_for(people.reviewer)
    urls = ["/api/v1/posts/", "/api/v1/post-reviews/", "/api/v1/checklists/"]
    with django_assert_max_num_queries(15) as small:
        for url in urls:
            assert api.get(url).status_code == 200
    more = make_posts(accounts.linkedin, 30, by=people.qa, prefix="li")
    review_all(people, checklist, more)
    add_checklists(people, checklist, 30, start=2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        sizes = [len(api.get(url).json()["results"]) for url in urls]
    assert sizes == [33, 33, 33]


def test_review_detail_api_query_count_is_bounded(people, accounts, checklist, api_for, django_assert_max_num_queries):
    post = make_posts(accounts.instagram, 1, by=people.qa)[0]
    review_all(people, checklist, [post])
    review_id = post.reviews.get().pk
    with django_assert_max_num_queries(8):
        body = api_for(people.reviewer).get(f"/api/v1/post-reviews/{review_id}/").json()
    assert len(body["items"]) == len(CHECKLIST_ITEMS) and len(body["defects"]) == 1


def test_queue_pages_by_keyset_failures_first(people, accounts, client_for):
    clean = make_posts(accounts.x, 52, by=people.qa, prefix="x")
    flagged = make_posts(accounts.instagram, 8, by=people.qa, prefix="ig", sponsored=True)  # no disclosure
    assert all(p.precheck_failures > 0 for p in flagged) and all(p.precheck_failures == 0 for p in clean)
    reviewed = make_post(accounts.linkedin, "done", by=people.qa)
    Post.objects.filter(pk=reviewed.pk).update(review_state="passed")
    client = client_for(people.reviewer)

    first = client.get("/reviews/")
    page1 = first.context["posts"]
    assert len(page1) == 50
    assert first.context["next_url"]
    second = client.get("/reviews/" + first.context["next_url"])
    page2 = second.context["posts"]
    assert len(page2) == 10
    assert second.context["next_url"] is None

    ids1, ids2 = [p.pk for p in page1], [p.pk for p in page2]
    assert not set(ids1) & set(ids2)
    everything = sorted(clean + flagged, key=lambda p: (-p.precheck_failures, p.pk))
    assert ids1 + ids2 == [p.pk for p in everything]
    assert set(ids1[:8]) == {p.pk for p in flagged}  # created last, listed first
    assert reviewed.pk not in ids1 + ids2


def test_queue_filters_by_platform_and_counts_per_account(people, accounts, client_for):
    make_posts(accounts.x, 3, by=people.qa, prefix="x")
    make_posts(accounts.instagram, 2, by=people.qa, prefix="ig")
    response = client_for(people.reviewer).get("/reviews/?platform=instagram")
    assert {p.account_id for p in response.context["posts"]} == {accounts.instagram.pk}
    assert response.context["counts"]["platforms"] == {"instagram": 2, "x": 3}
    assert response.context["counts"]["total"] == 5


def test_lists_show_only_the_users_teams(people, accounts, checklist, api_for, client_for):
    ours = make_posts(accounts.x, 2, by=people.qa, prefix="x")
    review_all(people, checklist, ours)
    theirs = make_posts(accounts.other_x, 1, by=people.outsider, prefix="b")
    api = api_for(people.outsider)
    assert [p["id"] for p in api.get("/api/v1/posts/").json()["results"]] == [theirs[0].pk]
    assert api.get("/api/v1/post-reviews/").json()["results"] == []
    assert api.get("/api/v1/checklists/").json()["results"] == []
    assert [a["handle"] for a in api.get("/api/v1/social-accounts/").json()["results"]] == ["agency"]
    queue = client_for(people.outsider).get("/reviews/")
    assert [p.pk for p in queue.context["posts"]] == [theirs[0].pk]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/posts/?colour=red",
        "/api/v1/post-reviews/?reviewer=1",
        "/api/v1/checklists/?team=1",
        "/api/v1/sampling-lots/?status=open",
    ],
)
def test_unknown_query_parameter_on_a_list_is_400(people, api_for, url):
    response = api_for(people.reviewer).get(url)
    assert response.status_code == 400
    name = url.split("?")[1].split("=")[0]
    assert list(response.json()) == [name] and "Unknown query parameter" in str(response.json()[name])


def test_bad_filter_values_are_400(people, api_for):
    api = api_for(people.reviewer)
    assert api.get("/api/v1/posts/?platform=myspace").status_code == 400
    assert api.get("/api/v1/posts/?review_state=lost").status_code == 400
    assert api.get("/api/v1/posts/?account=abc").status_code == 400
