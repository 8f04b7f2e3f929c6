"""Issue 10: a nonconformity shows and links what raised it (page and API), and the post and
review pages list the nonconformities their defects raised."""

import pytest

from capa.models import Nonconformity
from capa.services import nonconformity_raise
from post_reviews import services
from tests.post_reviews.conftest import make_post, results_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def raised(people, accounts, checklist):
    post = make_post(accounts.x, "x-1", by=people.author)
    review = services.review_submit(
        data=services.ReviewInput(
            post_id=post.pk,
            checklist_id=checklist.pk,
            stage="pre_publication",
            results=results_for(checklist),
            defects=[{"category": "legal_claims", "severity": "major", "note": "Unsupported claim."}],
        ),
        by=people.reviewer,
    )
    defect = review.defects.get()
    return post, review, defect, Nonconformity.objects.get(source_id=defect.pk)


def test_the_api_gives_the_source_of_an_nc_raised_by_a_defect(people, raised, api_for):
    post, review, defect, nc = raised
    body = api_for(people.qa).get(f"/api/v1/nonconformities/{nc.pk}/").json()
    assert body["source"] == {
        "type": "post_reviews.defect",
        "id": defect.pk,
        "label": f"Major legal / claims defect in review {review.pk}",
        "url": f"/reviews/posts/{post.pk}/#review-{review.pk}",
    }
    listed = api_for(people.qa).get("/api/v1/nonconformities/").json()["results"]
    assert [r["source"]["id"] for r in listed] == [defect.pk]


def test_an_nc_without_a_source_has_none(people, api_for):
    nc = nonconformity_raise(
        source=None, source_kind="complaint", team=people.team_a, severity="minor", description="x", by=people.qa
    )
    assert api_for(people.qa).get(f"/api/v1/nonconformities/{nc.pk}/").json()["source"] is None


def test_the_nc_page_links_to_the_review_on_the_post_page(people, raised, client_for):
    post, review, _, nc = raised
    page = client_for(people.qa).get(nc.get_absolute_url()).content.decode()
    assert f'href="/reviews/posts/{post.pk}/#review-{review.pk}"' in page
    post_page = client_for(people.qa).get(f"/reviews/posts/{post.pk}/").content.decode()
    assert f'id="review-{review.pk}"' in post_page  # the anchor the link lands on


def test_the_post_and_review_pages_list_the_ncs_raised(people, raised, client_for):
    post, _, _, nc = raised
    client = client_for(people.reviewer)
    for url in (f"/reviews/posts/{post.pk}/", f"/reviews/posts/{post.pk}/review/"):
        page = client.get(url).content.decode()
        assert nc.reference in page and nc.get_absolute_url() in page, url


def test_another_teams_user_sees_no_nc_of_the_post(people, raised, client_for):
    post, _, _, _ = raised
    assert client_for(people.outsider).get(f"/reviews/posts/{post.pk}/").status_code == 404
