"""API wiring: transitions as POST actions, status codes, scoping, bounded list queries."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from capa.models import CorrectiveAction, Nonconformity
from capa.workflow import Status
from core.models import Signature
from tests.factories import PASSWORD

from .conftest import capa_at, raise_nc

pytestmark = pytest.mark.django_db


def test_full_journey_over_the_api(api_for, people):
    qa = api_for(people.qa)
    response = qa.post(
        "/api/v1/nonconformities/",
        {
            "team": people.team_a.pk,
            "source_kind": "complaint",
            "category": "link",
            "severity": "major",
            "title": "Broken link",
            "description": "Bio link 404s",
        },
    )
    assert response.status_code == 201, response.content
    nc_id = response.json()["id"]
    capa = qa.post(f"/api/v1/nonconformities/{nc_id}/open-capa/", {"owner": people.qa.pk}).json()
    url = f"/api/v1/capas/{capa['id']}"
    assert qa.post(f"{url}/start-investigation/").json()["status"] == "investigating"
    body = qa.post(
        f"{url}/set-root-cause/",
        {
            "root_cause": "Link shortener expired",
            "root_cause_category": "platform",
            "five_whys": ["Link 404", "Short link expired", "Free plan"],
            "fishbone": {"platform": ["Free plan"]},
        },
    ).json()
    assert body["root_cause"] == "Link shortener expired"
    assert qa.post(f"{url}/plan/").json()["status"] == "action_plan"
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    item = qa.post(
        f"{url}/actions/",
        {
            "description": "Move to the paid plan",
            "action_type": "corrective",
            "owner": people.author.pk,
            "due_date": due,
        },
    )
    assert item.status_code == 201, item.content
    assert qa.post(f"{url}/implement/").json()["status"] == "implementing"
    evidence = io.BytesIO(b"invoice\n")
    evidence.name = "invoice.txt"
    done = api_for(people.author).post(
        f"{url}/actions/{item.json()['id']}/complete/", {"note": "Paid", "evidence": evidence}, format="multipart"
    )
    assert done.status_code == 200, done.content
    assert done.json()["done_by"] == people.author.printed_name
    assert qa.get(f"{url}/actions/").json()[0]["done_at"]
    assert qa.post(f"{url}/start-verification/", {"criteria": "No 404s for 30 days"}).json()["status"] == "verifying"
    assert qa.post(f"{url}/verify/", {"result": "effective", "evidence": "0 broken links"}).status_code == 200
    wrong = qa.post(f"{url}/close/", {"password": "nope"})
    assert wrong.status_code == 400
    assert "password" in wrong.json()
    closed = qa.post(f"{url}/close/", {"password": PASSWORD})
    assert closed.json()["status"] == "closed"
    assert Signature.objects.count() == 1
    assert qa.get(f"/api/v1/nonconformities/{nc_id}/").json()["status"] == "closed"


@pytest.mark.parametrize(
    ("stage", "action", "payload"),
    [
        (Status.OPEN, "plan", {}),
        (Status.OPEN, "implement", {}),
        (Status.INVESTIGATING, "start-investigation", None),
        (Status.ACTION_PLAN, "verify", {"result": "effective", "evidence": "x"}),
        (Status.IMPLEMENTING, "close", {"password": PASSWORD}),
        (Status.CLOSED, "cancel", {"reason": "late"}),
        (Status.CLOSED, "start-investigation", {}),
    ],
)
def test_forbidden_transition_is_409(api_for, people, stage, action, payload):
    capa = capa_at(people, stage)
    response = api_for(people.qa).post(f"/api/v1/capas/{capa.pk}/{action}/", payload or {})
    if payload is None:  # repeating a done step is a no-op, not a conflict
        assert response.status_code == 200
        return
    assert response.status_code == 409, response.content
    assert response.json()["current_status"] == stage


def test_bad_input_is_400_by_field(api_for, people):
    capa = capa_at(people, Status.INVESTIGATING)
    qa = api_for(people.qa)
    response = qa.post(f"/api/v1/capas/{capa.pk}/set-root-cause/", {"root_cause": "x", "fishbone": {"weather": ["x"]}})
    assert response.status_code == 400
    assert "fishbone" in response.json()
    assert qa.post(f"/api/v1/capas/{capa.pk}/cancel/", {}).status_code == 400
    assert qa.post("/api/v1/nonconformities/", {"team": people.team_a.pk}).status_code == 400


def test_non_qa_manager_cannot_close_over_the_api(api_for, people):
    capa = capa_at(people, Status.VERIFYING)
    response = api_for(people.lead).post(f"/api/v1/capas/{capa.pk}/close/", {"password": PASSWORD})
    assert response.status_code == 403


def test_another_teams_records_are_404(api_for, people):
    capa = capa_at(people, Status.IMPLEMENTING)
    nc = capa.nonconformities.get()
    item = capa.items.get()
    outsider = api_for(people.outsider)
    assert outsider.get(f"/api/v1/capas/{capa.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/nonconformities/{nc.pk}/").status_code == 404
    assert outsider.post(f"/api/v1/capas/{capa.pk}/start-verification/", {"criteria": "x"}).status_code == 404
    assert outsider.get(f"/api/v1/capas/{capa.pk}/actions/").status_code == 404
    assert outsider.post(f"/api/v1/capas/{capa.pk}/actions/{item.pk}/complete/", {}).status_code == 404
    assert outsider.post(f"/api/v1/nonconformities/{nc.pk}/contain/", {"description": "x"}).status_code == 404
    assert outsider.get("/api/v1/capas/").json()["results"] == []
    assert outsider.get("/api/v1/nonconformities/").json()["results"] == []
    response = outsider.post(
        "/api/v1/nonconformities/",
        {"team": people.team_a.pk, "source_kind": "other", "severity": "minor", "description": "x"},
    )
    assert response.status_code == 404


def test_lists_run_a_bounded_number_of_queries(api_for, people, django_assert_max_num_queries):
    for stage in (Status.OPEN, Status.IMPLEMENTING, Status.VERIFYING, Status.CLOSED):
        capa_at(people, stage)
    for _ in range(3):
        raise_nc(people)
    api = api_for(people.qa)
    with django_assert_max_num_queries(8):
        body = api.get("/api/v1/capas/").json()
    assert len(body["results"]) == CorrectiveAction.objects.count() == 4
    with django_assert_max_num_queries(8):
        body = api.get("/api/v1/nonconformities/?status=open").json()
    assert len(body["results"]) == Nonconformity.objects.filter(status="open").count() == 3
