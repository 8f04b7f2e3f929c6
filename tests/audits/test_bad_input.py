"""Bad input to the audit API is a 400 by field, never a 500 and never half-written."""

import pytest

from audits.models import Answer, Evidence, Finding
from audits.workflow import Status

from .conftest import audit_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(people, programme):
    return audit_at(people, programme, Status.IN_PROGRESS)


@pytest.mark.parametrize(
    "body",
    [
        {"classification": "minor_nc", "statement": "nul\x00here"},
        {"classification": "critical", "statement": "x"},
        {"classification": "minor_nc"},
        {"statement": "x"},
        {"classification": "minor_nc", "statement": "x", "clause": "banana"},
        {"classification": "minor_nc", "statement": "x", "team": 999999},
        {"classification": "minor_nc", "statement": "   "},
    ],
)
def test_bad_findings_are_400(people, api_for, running, body):
    response = api_for(people.auditor).post("/api/v1/findings/", {"audit": running.pk, **body})
    assert response.status_code == 400, response.json()
    assert not Finding.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"answer": "yes"},
        {"answer": "conforming", "notes": "a\x00b"},
        {},
        {"answer": "conforming", "question": "first"},
    ],
)
def test_bad_answers_are_400(people, api_for, running, body):
    body = {"question": running.questions.first().pk, **body}
    response = api_for(people.auditor).post(f"/api/v1/audits/{running.pk}/answers/", body)
    assert response.status_code == 400, response.json()
    assert not Answer.objects.filter(audit=running, value="yes").exists()


def test_an_answer_to_another_audits_question_is_404(people, api_for, programme, running):
    other = audit_at(people, programme, Status.IN_PROGRESS, title="Other")
    response = api_for(people.auditor).post(
        f"/api/v1/audits/{running.pk}/answers/", {"question": other.questions.first().pk, "answer": "conforming"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"record": {"type": "tweet", "id": 1}},
        {"record": {"type": "capa"}},
        {"attachment": 1, "record": {"type": "capa", "id": 1}},
        {"attachment": 999999},
        {"record": {"type": "capa", "id": 999999}},
    ],
)
def test_bad_evidence_is_400(people, api_for, running, body):
    question = running.questions.first()
    response = api_for(people.auditor).post(f"/api/v1/audits/{running.pk}/answers/{question.pk}/evidence/", body)
    assert response.status_code == 400, response.json()
    assert not Evidence.objects.exists()


def test_an_upload_of_the_wrong_type_is_400_and_stores_nothing(people, api_for, running):
    from django.core.files.uploadedfile import SimpleUploadedFile

    question = running.questions.first()
    fake = SimpleUploadedFile("photo.png", b"not a png at all", content_type="image/png")
    response = api_for(people.auditor).post(
        f"/api/v1/audits/{running.pk}/answers/{question.pk}/evidence/", {"file": fake}, format="multipart"
    )
    assert response.status_code == 400
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{"title": "x\x00"}, {"audit_type": "x"}, {"auditors": ["a"]}, {"clauses": "7.5"}, {"lead_auditor": 0}],
)
def test_bad_patches_are_400(people, api_for, programme, body):
    audit = audit_at(people, programme, Status.PLANNED)
    response = api_for(people.qa).patch(f"/api/v1/audits/{audit.pk}/", body)
    assert response.status_code == 400, response.json()
