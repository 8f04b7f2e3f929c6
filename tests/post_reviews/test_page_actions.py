"""Issue 10: pages show an action only when the permission predicate the service checks allows
it (erin the auditor, vic the viewer, dan the reviewer), failures are red, and an empty account
picker says why."""

import pytest
from django.urls import reverse

from post_reviews import services
from tests.post_reviews.conftest import make_post, results_for

pytestmark = pytest.mark.django_db


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_erin_the_auditor_is_offered_no_post_actions(people, accounts, client_for):
    client = client_for(people.auditor)
    queue = _page(client, "/reviews/")
    assert 'data-testid="add-post"' not in queue and 'data-testid="import"' not in queue
    assert 'data-testid="draw"' not in _page(client, "/reviews/sampling/")
    imports = _page(client, "/reviews/import/")
    assert "Upload and import" not in imports  # the runs stay listed
    assert client.get("/reviews/posts/new/").status_code == 403
    assert client.post("/reviews/import/", {"team": people.team_a.pk, "kind": "csv"}).status_code == 403
    assert "Add an account" not in _page(client, "/reviews/accounts/")


def test_dan_the_reviewer_is_offered_them(people, accounts, client_for):
    client = client_for(people.author)
    queue = _page(client, "/reviews/")
    assert 'data-testid="add-post"' in queue and 'data-testid="import"' in queue
    assert 'data-testid="draw"' in _page(client, "/reviews/sampling/")
    assert "Upload and import" in _page(client, "/reviews/import/")
    page = _page(client, "/reviews/posts/new/")
    assert 'data-testid="no-accounts"' not in page and "@brand.ig" in page


@pytest.mark.parametrize(("persona", "shown"), [("auditor", True), ("author", True), ("viewer", False)])
def test_raise_a_nonconformity_follows_the_raise_right(people, client_for, persona, shown):
    # Auditors hold the right to raise NCs (audit findings); viewers are read-only.
    page = _page(client_for(getattr(people, persona)), reverse("capa:nc-list"))
    assert ('data-testid="raise-nc"' in page) is shown


def test_an_empty_account_picker_says_why(people, client_for):
    page = _page(client_for(people.outsider), "/reviews/posts/new/")  # team B has no accounts yet
    assert 'data-testid="no-accounts"' in page and "/reviews/accounts/" in page


def test_a_failed_post_is_red_and_the_viewer_is_not_offered_a_review(people, accounts, checklist, client_for):
    post = make_post(accounts.x, "x-1", by=people.author)
    services.review_submit(
        data=services.ReviewInput(
            post_id=post.pk,
            checklist_id=checklist.pk,
            stage="pre_publication",
            results=results_for(checklist, item_2="fail"),
        ),
        by=people.reviewer,
    )
    page = _page(client_for(people.viewer), f"/reviews/posts/{post.pk}/")
    assert 'class="badge text-bg-danger" data-testid="review-state">Failed<' in page
    assert f"/reviews/posts/{post.pk}/review/" not in page
    assert f"/reviews/posts/{post.pk}/review/" in _page(client_for(people.reviewer), f"/reviews/posts/{post.pk}/")
