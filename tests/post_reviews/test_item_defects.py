"""Issue 10: a failed checklist item marked critical or major if failed records a defect of the
item's category and severity (so the NC rule applies), unless a defect is given for that item."""

import pytest

from capa.models import Nonconformity
from core.exceptions import ValidationError
from post_reviews import services
from post_reviews.models import Defect
from tests.post_reviews.conftest import make_post, results_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(people, accounts):
    return make_post(accounts.instagram, "ig-1", by=people.author, status="draft")


def _submit(post, checklist, by, results, defects=()):
    return services.review_submit(
        data=services.ReviewInput(
            post_id=post.pk,
            checklist_id=checklist.pk,
            stage="pre_publication",
            results=results,
            defects=list(defects),
        ),
        by=by,
    )


@pytest.mark.parametrize("order", [1, 2])  # critical disclosure, major accessibility
def test_a_failed_critical_or_major_item_records_a_defect_and_raises_an_nc(people, post, checklist, order):
    item = checklist.items.get(order=order)
    review = _submit(post, checklist, people.reviewer, results_for(checklist, **{f"item_{order}": "fail"}))
    defect = Defect.objects.get(review=review)
    assert (defect.category, defect.severity, defect.checklist_item, defect.note) == (
        item.category,
        item.severity,
        item,
        item.criterion,
    )
    nc = Nonconformity.objects.get(source_id=defect.pk)
    assert nc.category == item.category and nc.severity == item.severity


def test_a_failed_minor_item_records_no_defect(people, post, checklist):
    review = _submit(post, checklist, people.reviewer, results_for(checklist, item_4="fail"))
    assert review.outcome == "pass_minor" and Defect.objects.count() == 0


def test_a_defect_given_for_the_item_replaces_the_one_it_would_record(people, post, checklist):
    item = checklist.items.get(order=2)
    given = {"category": "wrong_asset", "severity": "major", "note": "The wrong photo.", "item": item.pk}
    review = _submit(post, checklist, people.reviewer, results_for(checklist, item_2="fail"), [given])
    assert [(d.category, d.note, d.checklist_item_id) for d in review.defects.all()] == [
        ("wrong_asset", "The wrong photo.", item.pk)
    ]
    assert Nonconformity.objects.count() == 1


def test_a_defect_for_an_item_that_did_not_fail_is_refused(people, post, checklist):
    item = checklist.items.get(order=2)
    with pytest.raises(ValidationError) as exc:
        _submit(
            post,
            checklist,
            people.reviewer,
            results_for(checklist),
            [{"category": "link", "severity": "major", "item": item.pk}],
        )
    assert "defects" in exc.value.errors


def _api_body(post, checklist, **extra):
    return {
        "post": post.pk,
        "checklist": checklist.pk,
        "stage": "pre_publication",
        "results": {str(k): v for k, v in results_for(checklist, item_1="fail").items()},
        **extra,
    }


def test_the_api_records_the_defect_of_a_failed_critical_item(people, post, checklist, api_for):
    response = api_for(people.reviewer).post("/api/v1/post-reviews/", _api_body(post, checklist), format="json")
    assert response.status_code == 201
    item = checklist.items.get(order=1)
    assert [(d["category"], d["severity"], d["item"]) for d in response.json()["defects"]] == [
        (item.category, "critical", item.pk)
    ]


def test_the_api_takes_the_clients_defect_for_the_item_instead(people, post, checklist, api_for):
    item = checklist.items.get(order=1)
    body = _api_body(
        post, checklist, defects=[{"category": "disclosure", "severity": "major", "note": "No #ad", "item": item.pk}]
    )
    response = api_for(people.reviewer).post("/api/v1/post-reviews/", body, format="json")
    assert response.status_code == 201
    assert [(d["severity"], d["note"]) for d in response.json()["defects"]] == [("major", "No #ad")]


def test_the_review_page_marks_the_items_that_record_a_defect(people, post, checklist, client_for):
    page = client_for(people.reviewer).get(f"/reviews/posts/{post.pk}/review/").content.decode()
    item = checklist.items.get(order=1)
    assert f'data-item="{item.pk}"' in page and 'data-raises="1"' in page
    assert 'name="defect_item"' in page  # the defect row the script pre-fills


def test_the_review_page_records_the_defect_without_the_script_too(people, post, checklist, client_for):
    data = {"checklist": checklist.pk, "stage": "pre_publication"}
    data.update({f"item-{k}": v for k, v in results_for(checklist, item_2="fail").items()})
    response = client_for(people.reviewer).post(f"/reviews/posts/{post.pk}/review/submit/", data)
    assert response.status_code == 302
    assert Defect.objects.get().checklist_item == checklist.items.get(order=2)


def test_the_review_page_takes_the_edited_pre_filled_defect(people, post, checklist, client_for):
    item = checklist.items.get(order=2)
    data = {"checklist": checklist.pk, "stage": "pre_publication"}
    data.update({f"item-{k}": v for k, v in results_for(checklist, item_2="fail").items()})
    data.update(defect_category="accessibility", defect_severity="critical", defect_note="No alt", defect_item=item.pk)
    response = client_for(people.reviewer).post(f"/reviews/posts/{post.pk}/review/submit/", data)
    assert response.status_code == 302
    defect = Defect.objects.get()
    assert (defect.severity, defect.note, defect.checklist_item) == ("critical", "No alt", item)
