"""Reviews against a checklist: release by someone other than the author, defects raising
nonconformities, append-only corrections, and checklists tied to the SOP in force."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType

from capa.models import Nonconformity
from core.exceptions import NotFound, PermissionDenied, ValidationError
from docs_control import services as docs
from post_reviews import selectors, services
from post_reviews.models import Checklist, Defect, PostReview, ReviewItem
from tests.docs_control.conftest import draft_of, make_document
from tests.factories import PASSWORD
from tests.post_reviews.conftest import CHECKLIST_ITEMS, make_post, results_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(people, accounts):
    """A draft post written by dan (people.author) through the API."""
    return make_post(accounts.instagram, "ig-1", by=people.author, text="Autumn range out now.", status="draft")


def submit(post, checklist, by, *, stage="pre_publication", results=None, defects=(), **extra):
    return services.review_submit(
        data=services.ReviewInput(
            post_id=post.pk,
            checklist_id=checklist.pk,
            stage=stage,
            results=results if results is not None else results_for(checklist),
            defects=list(defects),
            **extra,
        ),
        by=by,
    )


def test_a_pass_by_a_non_author_approves_the_post_for_publishing(people, post, checklist):
    assert post.author == people.author
    review = submit(post, checklist, people.reviewer, notes="  Looks right. ")

    post.refresh_from_db()
    assert post.review_state == "passed" and post.approved_for_publishing is True
    assert review.outcome == "pass" and review.score == 100
    assert review.reviewer == people.reviewer and review.post_content_hash == post.content_hash
    assert review.checklist_version == f"SOP-PR-001 v{checklist.document_version.label}"
    assert review.notes == "Looks right." and review.supersedes is None
    items = {i.item.sop_section: i for i in ReviewItem.objects.filter(review=review).select_related("item")}
    assert len(items) == len(CHECKLIST_ITEMS)
    assert items["4.1"].prefilled and not items["5"].prefilled
    assert post.history.first().history_change_reason == "reviewed: pass"


def test_a_minor_failure_passes_with_minor_issues(people, post, checklist):
    review = submit(post, checklist, people.reviewer, results=results_for(checklist, item_4="fail"))
    assert review.outcome == "pass_minor" and review.score == 75
    post.refresh_from_db()
    assert post.review_state == "passed" and post.approved_for_publishing


@pytest.mark.parametrize("results", [{}, {"item_4": "fail"}])
def test_the_author_cannot_pass_their_own_post_before_publication(people, post, checklist, results):
    with pytest.raises(PermissionDenied, match="author"):
        submit(post, checklist, people.author, results=results_for(checklist, **results))
    assert PostReview.objects.count() == 0
    post.refresh_from_db()
    assert post.review_state == "pending" and not post.approved_for_publishing


def test_the_author_may_fail_their_own_post(people, post, checklist):
    review = submit(post, checklist, people.author, results=results_for(checklist, item_1="fail"))
    assert review.outcome == "fail"
    post.refresh_from_db()
    assert post.review_state == "failed" and post.approved_for_publishing is False


def test_a_major_defect_raises_exactly_one_nonconformity_linked_to_it(people, post, checklist):
    review = submit(
        post,
        checklist,
        people.reviewer,
        results=results_for(checklist, item_2="fail"),
        defects=[
            {
                "category": "accessibility",
                "severity": "major",
                "note": "The product photo has no alt text.",
                "item": checklist.items.get(order=2).pk,  # replaces the defect the failed item records
            },
            {"category": "spelling_grammar", "severity": "minor", "note": "Typo in 'autum'."},
        ],
    )
    assert review.outcome == "fail"
    major, minor = Defect.objects.filter(review=review).order_by("id")
    nc = Nonconformity.objects.get()
    assert (nc.source_type, nc.source_id) == (ContentType.objects.get_for_model(Defect), major.pk)
    assert nc.team == people.team_a and nc.severity == "major" and nc.detected_by == people.reviewer
    assert nc.description == "The product photo has no alt text."
    assert not Nonconformity.objects.filter(source_id=minor.pk).exists()
    post.refresh_from_db()
    assert post.review_state == "failed" and not post.approved_for_publishing


def test_a_minor_defect_raises_no_nonconformity(people, post, checklist):
    review = submit(post, checklist, people.reviewer, defects=[{"category": "spelling_grammar", "severity": "minor"}])
    assert review.outcome == "pass_minor"
    assert Defect.objects.count() == 1
    assert Nonconformity.objects.count() == 0


def test_missing_item_results_are_refused_naming_the_items(people, post, checklist):
    results = results_for(checklist)
    items = list(checklist.items.all())
    del results[items[1].pk], results[items[3].pk]
    with pytest.raises(ValidationError) as exc:
        submit(post, checklist, people.reviewer, results=results)
    assert "missing: 2, 4" in " ".join(exc.value.errors["results"])
    assert PostReview.objects.count() == 0


def test_a_second_review_supersedes_the_first_which_stays_as_it_was(people, post, checklist):
    first = submit(post, checklist, people.reviewer, results=results_for(checklist, item_1="fail"))
    before = PostReview.objects.filter(pk=first.pk).values().get()

    second = submit(post, checklist, people.qa)

    assert second.supersedes == first
    assert PostReview.objects.filter(pk=first.pk).values().get() == before
    assert ReviewItem.objects.filter(review=first, result="fail").count() == 1
    post.refresh_from_db()
    assert post.review_state == "passed" and post.approved_for_publishing
    third = submit(post, checklist, people.lead)
    assert third.supersedes == second


def test_a_viewer_cannot_review(people, post, checklist):
    with pytest.raises(PermissionDenied):
        submit(post, checklist, people.viewer)
    assert PostReview.objects.count() == 0


def test_another_teams_post_is_not_found(people, accounts, checklist):
    theirs = make_post(accounts.other_x, "b-1", by=people.outsider)
    with pytest.raises(NotFound):
        submit(theirs, checklist, people.qa)


def test_a_checklist_of_another_team_is_refused(people, post, other_checklist):
    with pytest.raises(ValidationError) as exc:
        submit(post, other_checklist, people.reviewer, results=results_for(other_checklist))
    assert "checklist" in exc.value.errors
    assert PostReview.objects.count() == 0


def test_review_through_the_api(people, post, checklist, api_for):
    results = {str(k): v for k, v in results_for(checklist).items()}
    body = {"post": post.pk, "checklist": checklist.pk, "stage": "pre_publication", "results": results}
    assert api_for(people.author).post("/api/v1/post-reviews/", body, format="json").status_code == 403
    response = api_for(people.reviewer).post("/api/v1/post-reviews/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["outcome"] == "pass" and response.json()["items"] == results
    assert api_for(people.outsider).get(f"/api/v1/post-reviews/{response.json()['id']}/").status_code == 404


# --- the review page ------------------------------------------------------------------------------


def form_for(checklist, stage="pre_publication", **by_order):
    data = {"checklist": checklist.pk, "stage": stage}
    data.update({f"item-{k}": v for k, v in results_for(checklist, **by_order).items()})
    return data


def test_review_page_submit_redirects_to_the_next_post_in_the_queue(people, accounts, checklist, client_for):
    first = make_post(accounts.x, "x-1", by=people.author)
    second = make_post(accounts.x, "x-2", by=people.author)
    client = client_for(people.reviewer)
    assert client.get(f"/reviews/posts/{first.pk}/review/").status_code == 200

    response = client.post(f"/reviews/posts/{first.pk}/review/submit/", form_for(checklist))

    assert response.status_code == 302
    assert response["Location"] == f"/reviews/posts/{second.pk}/review/"
    first.refresh_from_db()
    assert first.review_state == "passed"
    assert PostReview.objects.get().reviewer == people.reviewer


def test_review_page_submit_with_htmx_names_the_next_post_in_hx_location(people, accounts, checklist, client_for):
    first = make_post(accounts.x, "x-1", by=people.author)
    second = make_post(accounts.x, "x-2", by=people.author)
    third = make_post(accounts.x, "x-3", by=people.author)
    client = client_for(people.reviewer)
    client.post(f"/reviews/posts/{first.pk}/review/submit/", form_for(checklist))

    response = client.post(f"/reviews/posts/{second.pk}/review/submit/", form_for(checklist), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert json.loads(response["HX-Location"])["path"] == f"/reviews/posts/{third.pk}/review/"


def test_review_page_submit_with_a_missing_item_shows_the_error(people, post, checklist, client_for):
    data = form_for(checklist)
    del data[f"item-{checklist.items.last().pk}"]
    response = client_for(people.reviewer).post(f"/reviews/posts/{post.pk}/review/submit/", data)
    assert response.status_code == 200
    assert "missing: 4" in response.content.decode()
    assert PostReview.objects.count() == 0


def test_review_page_submit_with_an_impossible_start_time_still_saves(people, post, checklist, client_for):
    # parse_datetime raises on 2024-02-30: that was a 500.
    data = {**form_for(checklist), "started_at": "2024-02-30T10:00:00"}
    response = client_for(people.reviewer).post(f"/reviews/posts/{post.pk}/review/submit/", data)
    assert response.status_code == 302
    assert PostReview.objects.get().time_spent_seconds == 0


def test_review_page_submit_with_nul_characters_is_a_400_by_field(people, post, checklist, client_for):
    # PostgreSQL refuses NUL in text: notes and defect notes were saved as sent, a 500. Now every
    # parameter with a NUL is a 400 naming it (core.middleware.BadInputMiddleware).
    data = {
        **form_for(checklist),
        "notes": "Lo\x00oks fine",
        "defect_category": "spelling_grammar",
        "defect_severity": "minor",
        "defect_note": "Ty\x00po",
    }
    response = client_for(people.reviewer).post(f"/reviews/posts/{post.pk}/review/submit/", data)
    assert response.status_code == 400
    assert "<strong>notes</strong>" in response.content.decode()
    assert "<strong>defect_note</strong>" in response.content.decode()
    assert not PostReview.objects.exists()


def test_queue_campaign_filter_with_a_nul_character_is_a_400_not_a_500(people, accounts, client_for):
    make_post(accounts.x, "x-1", by=people.author, campaign="autumn")
    response = client_for(people.reviewer).get("/reviews/?campaign=autu%00mn")
    assert response.status_code == 400
    assert "<strong>campaign</strong>" in response.content.decode()


# --- checklists -----------------------------------------------------------------------------------


def test_a_checklist_is_built_only_from_an_effective_version(people):
    version = draft_of(make_document(people, number="SOP-PR-DRAFT"))
    with pytest.raises(ValidationError) as exc:
        services.checklist_create(version_id=version.pk, name="Too early", items=CHECKLIST_ITEMS, by=people.qa)
    assert "version" in exc.value.errors
    assert Checklist.objects.count() == 0


def test_only_a_qa_manager_builds_checklists(people, checklist):
    with pytest.raises(PermissionDenied):
        services.checklist_create(
            version_id=checklist.document_version_id, name="Mine", items=CHECKLIST_ITEMS, by=people.lead
        )
    assert Checklist.objects.count() == 1


def test_a_checklist_shows_sop_revised_when_a_newer_version_is_in_force(people, checklist, client_for):
    assert selectors.checklist_list_for(people.qa).get().sop_revised is False
    assert "SOP revised" not in client_for(people.qa).get("/reviews/checklists/").content.decode()

    document = checklist.document_version.document
    revision = docs.version_create_draft(document_id=document.pk, by=people.author, change_summary="New tone")
    docs.version_submit(version_id=revision.pk, by=people.author, approver_ids=[people.lead.pk])
    docs.version_approve(version_id=revision.pk, by=people.lead, password=PASSWORD)

    listed = selectors.checklist_list_for(people.qa).get()
    assert listed.sop_revised is True and listed.document_version_id == checklist.document_version_id
    page = client_for(people.qa).get("/reviews/checklists/")
    assert page.status_code == 200 and "SOP revised" in page.content.decode()
    api = client_for(people.qa).get("/api/v1/checklists/").json()["results"]
    assert [c["sop_revised"] for c in api] == [True]
