"""Audits API: wiring, codes, scoping (404 for what you may not see), bad input (400), the freeze (409)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audits.models import Finding
from audits.workflow import Status
from capa.models import Nonconformity
from tests.factories import PASSWORD

from .conftest import audit_at, plan_audit

pytestmark = pytest.mark.django_db


def _plan_body(people, programme, **extra):
    start = timezone.localdate() + timedelta(days=7)
    return {
        "programme": programme.pk,
        "title": "Publishing process",
        "audit_type": "process",
        "planned_start": start.isoformat(),
        "planned_end": (start + timedelta(days=1)).isoformat(),
        "lead_auditor": people.auditor.pk,
        "clauses": ["7.5.3", "8.6"],
        **extra,
    }


def test_qa_manager_creates_a_programme_and_an_audit(people, api_for):
    api = api_for(people.qa)
    made = api.post("/api/v1/audit-programmes/", {"team": people.team_a.pk, "year": 2026, "objectives": "All once"})
    assert made.status_code == 201, made.json()
    programme_id = made.json()["id"]
    assert api.get(f"/api/v1/audit-programmes/{programme_id}/").status_code == 200
    body = _plan_body(people, type("P", (), {"pk": programme_id}))
    created = api.post("/api/v1/audits/", body)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["status"] == "planned" and data["reference"].startswith("AUD-")
    assert data["audited_teams"] == [people.team_a.pk]
    assert data["clauses"] == ["7.5.3", "8.6"]


def test_an_auditor_cannot_plan_audits(people, api_for, programme):
    plan_audit(people, programme)  # erin sees the programme through her audit
    response = api_for(people.auditor).post("/api/v1/audits/", _plan_body(people, programme))
    assert response.status_code == 403


@pytest.mark.parametrize(
    "bad",
    [
        {"title": "bad\x00title"},
        {"audit_type": "holiday"},
        {"planned_start": "not a date"},
        {"clauses": ["banana"]},
        {"lead_auditor": 999999},
        {"title": None},
    ],
)
def test_bad_plan_input_is_a_400(people, api_for, programme, bad):
    body = _plan_body(people, programme) | bad
    body = {k: v for k, v in body.items() if v is not None}
    response = api_for(people.qa).post("/api/v1/audits/", body)
    assert response.status_code == 400


def test_patch_only_while_planned(people, api_for, programme):
    audit = plan_audit(people, programme)
    api = api_for(people.qa)
    assert api.patch(f"/api/v1/audits/{audit.pk}/", {"title": "Renamed"}).json()["title"] == "Renamed"
    assert api.put(f"/api/v1/audits/{audit.pk}/", {"title": "x"}).status_code == 405
    api_for(people.auditor).post(f"/api/v1/audits/{audit.pk}/start/")
    refused = api.patch(f"/api/v1/audits/{audit.pk}/", {"title": "Again"})
    assert refused.status_code == 409


def test_the_journey_through_the_api(people, api_for, programme):
    audit = plan_audit(people, programme)
    erin = api_for(people.auditor)
    added = erin.post(f"/api/v1/audits/{audit.pk}/questions/", {"text": "Is every post approved?", "clause": "8.6"})
    assert added.status_code == 201, added.json()
    question_id = added.json()[0]["id"]
    assert erin.post(f"/api/v1/audits/{audit.pk}/start/").json()["status"] == "in_progress"
    answered = erin.post(f"/api/v1/audits/{audit.pk}/answers/", {"question": question_id, "answer": "nonconforming"})
    assert answered.status_code == 200, answered.json()
    changed = erin.patch(f"/api/v1/audits/{audit.pk}/answers/", {"question": question_id, "answer": "observation"})
    assert changed.json()["answer"] == "observation"
    upload = SimpleUploadedFile("note.txt", b"seen on screen\n", content_type="text/plain")
    evidence = erin.post(
        f"/api/v1/audits/{audit.pk}/answers/{question_id}/evidence/", {"file": upload}, format="multipart"
    )
    assert evidence.status_code == 201, evidence.json()
    assert len(evidence.json()["attachment_sha256"]) == 64
    finding = erin.post(
        "/api/v1/findings/",
        {"audit": audit.pk, "classification": "minor_nc", "clause": "8.6", "statement": "Two posts unapproved"},
    )
    assert finding.status_code == 201, finding.json()
    nc = finding.json()["nonconformity"]
    assert nc["reference"].startswith("NC-")
    linked = erin.post(
        f"/api/v1/findings/{finding.json()['id']}/evidence/", {"record": {"type": "nonconformity", "id": nc["id"]}}
    )
    assert linked.status_code == 201, linked.json()
    detail = erin.get(f"/api/v1/findings/{finding.json()['id']}/").json()
    assert detail["evidence"][0]["record_kind"] == "nonconformity"
    assert erin.get(f"/api/v1/findings/?audit={audit.pk}").json()["results"][0]["id"] == finding.json()["id"]
    assert erin.post(f"/api/v1/audits/{audit.pk}/report/", {"conclusion": "Mostly effective"}).status_code == 200
    assert erin.post(f"/api/v1/audits/{audit.pk}/close/", {"password": "wrong"}).status_code == 400
    closed = erin.post(f"/api/v1/audits/{audit.pk}/close/", {"password": PASSWORD})
    assert closed.status_code == 200, closed.json()
    assert closed.json()["closed_signature"]["meaning"] == "approved"
    frozen = erin.post(f"/api/v1/audits/{audit.pk}/answers/", {"question": question_id, "answer": "conforming"})
    assert frozen.status_code == 409
    again = erin.post("/api/v1/findings/", {"audit": audit.pk, "classification": "ofi", "statement": "late"})
    assert again.status_code == 409
    assert Finding.objects.count() == 1 and Nonconformity.objects.count() == 1


def test_forbidden_transition_is_a_409(people, api_for, programme):
    audit = plan_audit(people, programme)
    response = api_for(people.auditor).post(f"/api/v1/audits/{audit.pk}/close/", {"password": PASSWORD})
    assert response.status_code == 409


def test_cancel_needs_a_reason(people, api_for, programme):
    audit = plan_audit(people, programme)
    api = api_for(people.qa)
    assert api.post(f"/api/v1/audits/{audit.pk}/cancel/", {}).status_code == 400
    done = api.post(f"/api/v1/audits/{audit.pk}/cancel/", {"reason": "Merged into another audit"})
    assert done.json()["status"] == "cancelled" and done.json()["cancel_reason"] == "Merged into another audit"


def test_copy_previous_through_the_api(people, api_for, programme):
    audit_at(people, programme, Status.CLOSED, questions=2)
    later = plan_audit(people, programme, title="Later", days=40)
    response = api_for(people.auditor).post(f"/api/v1/audits/{later.pk}/questions/copy-previous/")
    assert response.status_code == 201
    assert [q["answer"] for q in response.json()] == [None, None]


def test_unknown_and_bad_filters_are_refused(people, api_for, programme):
    api = api_for(people.qa)
    assert api.get("/api/v1/audits/?colour=red").status_code == 400
    assert api.get("/api/v1/audits/?status=finished").status_code == 400
    assert api.get("/api/v1/findings/?audit=abc").status_code == 400
    assert api.get("/api/v1/findings/?classification=bad").status_code == 400


# --- access ------------------------------------------------------------------------------------------


def test_an_auditor_of_x_gets_404_for_y(people, api_for, programme, auditor_b):
    from accounts.roles import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=auditor_b, team=people.team_a, role=Role.AUDITOR)
    x = plan_audit(people, programme, lead=auditor_b)
    y = plan_audit(people, programme, title="Y")
    api = api_for(auditor_b)
    assert api.get(f"/api/v1/audits/{x.pk}/").status_code == 200
    assert api.get(f"/api/v1/audits/{y.pk}/").status_code == 404
    assert api.post(f"/api/v1/audits/{y.pk}/start/").status_code == 404
    assert [a["id"] for a in api.get("/api/v1/audits/").json()["results"]] == [x.pk]


def test_another_teams_qa_manager_and_a_viewer_see_nothing(people, api_for, programme):
    from accounts.roles import Role
    from tests.factories import MembershipFactory, UserFactory

    audit = audit_at(people, programme, Status.IN_PROGRESS)
    from audits import services

    f = services.finding_create(audit_id=audit.pk, classification="ofi", statement="x", by=people.auditor)
    qa_b = UserFactory(username="quinn")
    MembershipFactory(user=qa_b, team=people.team_b, role=Role.QA_MANAGER)
    for user in (qa_b, people.viewer, people.author):
        api = api_for(user)
        assert api.get(f"/api/v1/audits/{audit.pk}/").status_code == 404
        assert api.get(f"/api/v1/findings/{f.pk}/").status_code == 404
        assert api.get("/api/v1/audits/").json()["results"] == []
        assert api.get("/api/v1/findings/").json()["results"] == []
    # A team lead of the audited team sees it and responds.
    lead = api_for(people.lead)
    assert lead.get(f"/api/v1/audits/{audit.pk}/").status_code == 200
    assert lead.post(f"/api/v1/findings/{f.pk}/respond/", {"response": "Agreed"}).status_code == 200


def test_anonymous_is_401(api_for):
    assert api_for(None).get("/api/v1/audits/").status_code == 401
