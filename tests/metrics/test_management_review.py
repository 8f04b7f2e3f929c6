"""Management review (ISO 9001 9.3): inputs from the period's data, signed close freezes them,
nothing changes after (409), the PDF shows the signature; rights, scoping and bad input."""

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from core.exceptions import InvalidPassword, PermissionDenied, TransitionNotAllowed
from core.models import Signature
from metrics.models import ManagementReview, ManagementReviewAction, ReviewDaily
from metrics.reviews import review_figures, review_inputs
from metrics.services import (
    management_review_action_add,
    management_review_action_complete,
    management_review_close,
    management_review_create,
    management_review_update,
    objective_create,
)
from tests.capa.conftest import raise_nc
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
URL = "/api/v1/management-reviews/"


def _reviews(team_id, day, n, passed, account_id=1):
    ReviewDaily.objects.create(
        day=day, team_id=team_id, account_id=account_id, platform="x", stage="post_publication",
        reviews=n, passed=passed, passed_minor=0, failed=n - passed,
    )  # fmt: skip


def _period():
    today = timezone.localdate()
    return today - timedelta(days=29), today


def _review(people, *, start=None, end=None, title="Q review", **data):
    s, e = _period()
    return management_review_create(
        team_id=people.team_a.pk,
        data={"title": title, "period_start": start or s, "period_end": end or e, **data},
        by=people.qa,
    )


def test_inputs_match_the_data_of_the_period(people):
    start, end = _period()
    _reviews(people.team_a.pk, start, 10, 8)
    _reviews(people.team_a.pk, end, 10, 10)
    _reviews(people.team_a.pk, start - timedelta(days=1), 100, 0)  # before the period
    _reviews(people.team_b.pk, end, 100, 0)  # another team
    raise_nc(people)
    raise_nc(people, team=people.team_b, by=people.outsider)
    objective_create(
        team_id=people.team_a.pk,
        data={"name": "Pass", "metric": "review_pass_rate", "comparator": "gte", "target": 80, "owner": people.qa.pk},
        by=people.qa,
    )
    old = _review(people, start=start - timedelta(days=120), end=start - timedelta(days=31), title="Previous")
    management_review_action_add(
        review_id=old.pk, description="Train the new reviewers", owner=people.lead, due_date=end, by=people.qa
    )
    done = management_review_action_add(
        review_id=old.pk, description="Old and done", owner=people.lead, due_date=end, by=people.qa
    )
    ManagementReviewAction.objects.filter(pk=done.pk).update(done_at=timezone.now() - timedelta(days=200))
    review = _review(people)
    inputs = review_inputs(review)
    assert inputs["process"]["reviews"]["value"] == 20
    assert inputs["process"]["review_pass_rate"]["value"] == 90.0
    assert inputs["capa"]["nc_raised"] == 1
    assert [a["description"] for a in inputs["previous_actions"]] == ["Train the new reviewers"]
    assert inputs["previous_actions"][0]["status"] == "overdue"
    assert [o["name"] for o in inputs["objectives"]] == ["Pass"]
    assert inputs["audits"]["available"] and inputs["audits"]["audits_closed"] == 0


def test_close_freezes_inputs_and_nothing_changes_after(people, api_for):
    review = _review(people, decisions="Keep the checklist")
    with pytest.raises(PermissionDenied):
        management_review_close(review_id=review.pk, password=PASSWORD, by=people.lead)  # not the chair
    with pytest.raises(InvalidPassword):
        management_review_close(review_id=review.pk, password="wrong", by=people.qa)
    review.refresh_from_db()
    assert review.status == "draft" and review.snapshot is None
    management_review_action_add(
        review_id=review.pk, description="Hire a reviewer", owner=people.lead, due_date=date(2027, 3, 1), by=people.qa
    )
    closed = management_review_close(review_id=review.pk, password=PASSWORD, by=people.qa)
    assert closed.status == "closed" and closed.snapshot["process"]["reviews"]["value"] == 0
    sig = Signature.objects.for_record(closed).get()
    assert (sig.signer, sig.meaning) == (people.qa, "approved")
    _reviews(people.team_a.pk, timezone.localdate(), 50, 50)  # data arriving later
    closed.refresh_from_db()
    assert review_figures(closed)["process"]["reviews"]["value"] == 0
    with pytest.raises(TransitionNotAllowed):
        management_review_update(review_id=review.pk, data={"decisions": "Changed"}, by=people.qa)
    api = api_for(people.qa)
    assert api.patch(f"{URL}{review.pk}/", {"decisions": "x"}, format="json").status_code == 409
    body = {"description": "More", "owner": people.lead.pk, "due_date": "2027-01-01"}
    assert api.post(f"{URL}{review.pk}/actions/", body, format="json").status_code == 409
    assert api.post(f"{URL}{review.pk}/close/", {"password": PASSWORD}, format="json").status_code == 200
    closed.refresh_from_db()
    assert closed.decisions == "Keep the checklist" and closed.actions.count() == 1
    assert Signature.objects.for_record(closed).count() == 1
    # Its open action comes back as input a) of the next review, and is tracked to done.
    later = _review(people, start=timezone.localdate(), end=timezone.localdate() + timedelta(days=90))
    assert [a["description"] for a in review_inputs(later)["previous_actions"]] == ["Hire a reviewer"]
    management_review_action_complete(action_id=closed.actions.get().pk, by=people.lead)  # done in its period
    assert review_inputs(later)["previous_actions"][0]["status"] == "done"


def test_pdf_opens_and_shows_the_signature(people, api_for, client_for):
    review = _review(people, decisions="Invest in training")
    management_review_close(review_id=review.pk, password=PASSWORD, by=people.qa, comment="Approved for Q4")
    response = api_for(people.qa).get(f"{URL}{review.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert people.qa.printed_name in text
    assert "Approved" in text and "Invest in training" in text
    page = client_for(people.qa).get(f"/metrics/reviews/{review.pk}/pdf/")
    assert page.status_code == 200 and page.content[:4] == b"%PDF"


def test_api_create_patch_and_detail(people, api_for):
    api = api_for(people.qa)
    start, end = _period()
    body = {"team": people.team_a.pk, "title": "Q4", "period_start": str(start), "period_end": str(end),
            "participants": [people.lead.pk, people.reviewer.pk]}  # fmt: skip
    created = api.post(URL, body, format="json")
    assert created.status_code == 201, created.json()
    review_id = created.json()["id"]
    assert created.json()["chair"] == people.qa.pk and "process" in created.json()["inputs"]
    patched = api.patch(f"{URL}{review_id}/", {"risks": "Platform API changes"}, format="json")
    assert patched.status_code == 200 and patched.json()["risks"] == "Platform API changes"
    assert api.get(URL).json()["results"][0]["id"] == review_id
    review = ManagementReview.objects.get(pk=review_id)
    assert review.history.count() == 2


def test_wrong_role_403_other_team_404_bad_input_400(people, api_for):
    review = _review(people)
    start, end = _period()
    body = {"team": people.team_a.pk, "title": "Q4", "period_start": str(start), "period_end": str(end)}
    assert api_for(people.reviewer).post(URL, body, format="json").status_code == 403
    assert api_for(people.reviewer).patch(f"{URL}{review.pk}/", {"risks": "x"}, format="json").status_code == 403
    assert api_for(people.reviewer).get(f"{URL}{review.pk}/").status_code == 200
    outsider = api_for(people.outsider)
    assert outsider.get(f"{URL}{review.pk}/").status_code == 404
    assert outsider.patch(f"{URL}{review.pk}/", {"risks": "x"}, format="json").status_code == 404
    assert outsider.get(f"{URL}{review.pk}/pdf/").status_code == 404
    assert outsider.post(URL, body, format="json").status_code == 404
    api = api_for(people.qa)
    bad = api.post(URL, {**body, "period_end": str(start - timedelta(days=1))}, format="json")
    assert bad.status_code == 400 and "period_end" in bad.json()
    bad = api.post(URL, {**body, "chair": people.reviewer.pk}, format="json")  # a reviewer can't chair
    assert bad.status_code == 400 and "chair" in bad.json()
    bad = api.post(URL, {**body, "title": ""}, format="json")
    assert bad.status_code == 400 and "title" in bad.json()
    bad = api.post(f"{URL}{review.pk}/close/", {"password": PASSWORD}, format="json")  # no decisions yet
    assert bad.status_code == 400 and "decisions" in bad.json()
    management_review_update(review_id=review.pk, data={"decisions": "Go on"}, by=people.qa)
    bad = api.post(f"{URL}{review.pk}/close/", {"password": "nope"}, format="json")
    assert bad.status_code == 400 and "password" in bad.json()
    assert (
        api_for(people.lead).post(f"{URL}{review.pk}/close/", {"password": PASSWORD}, format="json").status_code == 403
    )


def test_pages(people, client_for):
    review = _review(people)
    client = client_for(people.qa)
    assert client.get("/metrics/reviews/").status_code == 200
    page = client.get(f"/metrics/reviews/{review.pk}/")
    assert page.status_code == 200 and b"close-modal" in page.content
    saved = client.post(f"/metrics/reviews/{review.pk}/", {
        "title": "Q review", "period_start": str(review.period_start), "period_end": str(review.period_end),
        "chair": people.qa.pk, "decisions": "Go on",
    })  # fmt: skip
    assert saved.status_code == 302
    closed = client.post(f"/metrics/reviews/{review.pk}/close/", {"password": PASSWORD})
    assert closed.status_code == 302
    review.refresh_from_db()
    assert review.is_closed and review.decisions == "Go on"
    page = client.get(f"/metrics/reviews/{review.pk}/").content.decode()
    assert "close-modal" not in page and "Go on" in page and people.qa.printed_name in page
    assert client_for(people.outsider).get(f"/metrics/reviews/{review.pk}/").status_code == 404
    assert client_for(people.reviewer).get("/metrics/reviews/new/").status_code == 403


def test_audit_results_of_the_period_are_an_input(people):
    from audits.services import programme_create
    from audits.workflow import Status as AuditStatus
    from metrics.reviews import review_inputs
    from tests.audits.conftest import audit_at

    programme = programme_create(team=people.team_a, year=timezone.localdate().year, objectives="All", by=people.qa)
    audit = audit_at(people, programme, AuditStatus.CLOSED)
    audits = review_inputs(_review(people))["audits"]
    assert audits["available"] and audits["audits_closed"] == 1
    assert audit.reference in audits["note"]
    other_team = review_inputs(
        management_review_create(
            team_id=people.team_b.pk,
            data={"title": "B", "period_start": _period()[0], "period_end": _period()[1]},
            by=people.outsider,
        )
    )["audits"]
    assert other_team["audits_closed"] == 0
