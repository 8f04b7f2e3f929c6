"""Issue 9: whoever imports a post, or is named as its author, can't pass its pre-publication
review: not through the service, the review page or the API, for CSV, X-archive and API posts."""

import pytest

from core.exceptions import PermissionDenied
from post_reviews import services
from post_reviews.models import Post, PostReview
from tests.post_reviews import conftest as post_fixtures
from tests.post_reviews.conftest import results_for
from tests.post_reviews.test_imports import _tweet, run_import, tweets_js

pytestmark = pytest.mark.django_db

# The post review fixtures, shared with tests/post_reviews.
accounts = post_fixtures.accounts
checklist = post_fixtures.checklist

CSV = b"account,external_id,text,status,author\n"


def _pass(post, checklist, by):
    return services.review_submit(
        data=services.ReviewInput(
            post_id=post.pk, checklist_id=checklist.pk, stage="pre_publication", results=results_for(checklist)
        ),
        by=by,
    )


def _page_pass(client, post, checklist):
    data = {"checklist": checklist.pk, "stage": "pre_publication"}
    data.update({f"item-{k}": v for k, v in results_for(checklist).items()})
    return client.post(f"/reviews/posts/{post.pk}/review/submit/", data)


def _api_pass(api, post, checklist):
    body = {
        "post": post.pk,
        "checklist": checklist.pk,
        "stage": "pre_publication",
        "results": {str(k): v for k, v in results_for(checklist).items()},
    }
    return api.post("/api/v1/post-reviews/", body, format="json")


def test_dan_imports_a_draft_naming_himself_and_cannot_approve_it(
    people, accounts, checklist, client_for, api_for, django_capture_on_commit_callbacks
):
    dan = people.author
    run = run_import(
        people, CSV + b"brand.ig,imp-1,Autumn range out now.,draft,dan\n", django_capture_on_commit_callbacks, by=dan
    )
    assert run.status == "done" and run.created_count == 1, run.errors
    post = Post.objects.get(external_id="imp-1")
    assert post.imported_by == dan and post.author is None and post.author_name == "dan"

    with pytest.raises(PermissionDenied, match="importer"):
        _pass(post, checklist, dan)
    page = client_for(dan)
    assert "You wrote or imported this post" in page.get(f"/reviews/posts/{post.pk}/review/").content.decode()
    response = _page_pass(page, post, checklist)
    assert response.status_code == 200 and "importer" in response.content.decode()
    assert _api_pass(api_for(dan), post, checklist).status_code == 403

    post.refresh_from_db()
    assert post.approved_for_publishing is False and PostReview.objects.count() == 0
    # Someone who neither wrote nor imported it can.
    _pass(post, checklist, people.reviewer)
    post.refresh_from_db()
    assert post.approved_for_publishing is True


@pytest.mark.parametrize("stated", ["dan", "DAN", "@dan", "dan@example.com"])
def test_the_stated_author_cannot_approve_a_post_someone_else_imported(
    people, accounts, checklist, api_for, django_capture_on_commit_callbacks, stated
):
    people.author.email = "dan@example.com"
    people.author.save()
    line = b"brand.ig,imp-2,Autumn range out now.,draft," + stated.encode() + b"\n"
    run_import(people, CSV + line, django_capture_on_commit_callbacks, by=people.lead)
    post = Post.objects.get(external_id="imp-2")
    assert post.imported_by == people.lead

    with pytest.raises(PermissionDenied):
        _pass(post, checklist, people.author)
    assert _api_pass(api_for(people.author), post, checklist).status_code == 403
    with pytest.raises(PermissionDenied):  # nor the importer
        _pass(post, checklist, people.lead)


def test_the_importer_of_an_x_archive_cannot_approve_its_posts(
    people, accounts, checklist, django_capture_on_commit_callbacks
):
    content = tweets_js(_tweet("1001", "Hello from the archive"))
    run = run_import(
        people,
        content,
        django_capture_on_commit_callbacks,
        name="tweets.js",
        kind="x_archive",
        account_id=accounts.x.pk,
        by=people.author,
    )
    assert run.status == "done", run.message
    post = Post.objects.get(external_id="1001")
    assert post.imported_by == people.author
    with pytest.raises(PermissionDenied):
        _pass(post, checklist, people.author)


def test_posts_from_the_bulk_api_record_the_caller_who_cannot_approve_them(people, accounts, checklist, api_for):
    api = api_for(people.author)
    body = [
        {"account": accounts.instagram.pk, "external_id": "api-1", "text": "One", "status": "draft"},
        {"account": accounts.instagram.pk, "external_id": "api-2", "text": "Two", "status": "draft"},
    ]
    assert api.post("/api/v1/posts/", body, format="json").status_code == 201
    posts = list(Post.objects.filter(external_id__in=["api-1", "api-2"]))
    assert {p.imported_by for p in posts} == {people.author}
    for post in posts:
        assert _api_pass(api, post, checklist).status_code == 403
    assert PostReview.objects.count() == 0


def test_whoever_changes_an_imported_post_through_the_api_becomes_its_importer(people, accounts, checklist, api_for):
    first = {"account": accounts.instagram.pk, "external_id": "api-3", "text": "One", "status": "draft"}
    assert api_for(people.lead).post("/api/v1/posts/", first, format="json").status_code == 201
    changed = {**first, "text": "One, reworded by dan"}
    assert api_for(people.author).post("/api/v1/posts/", changed, format="json").status_code == 201
    post = Post.objects.get(external_id="api-3")
    assert post.imported_by == people.author
    assert _api_pass(api_for(people.author), post, checklist).status_code == 403
