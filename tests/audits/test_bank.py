"""The question bank: planners keep it (page and API), auditors read it, anyone else gets a 404;
bad input is a 400 by field; history is kept; a retired question is not offered to checklists."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from audits import selectors, services
from audits.models import BankQuestion
from core.exceptions import PermissionDenied, ValidationError
from docs_control import services as docs
from tests.factories import MembershipFactory, UserFactory

from .conftest import plan_audit

pytestmark = pytest.mark.django_db
API = "/api/v1/question-bank/"
JSON = "application/json"


def _doc(team, by, number="SOP-BANK-1"):
    return docs.document_create(team_id=team.pk, number=number, title="Disclosure", by=by, owner_id=by.pk, body="x")


def _bank(people, n=1, **extra):
    return [
        services.bank_question_create(
            team=people.team_a, question=f"Question {i}?", clause=f"8.{5 + i % 2}", by=people.qa, **extra
        )
        for i in range(n)
    ]


def test_a_qa_manager_keeps_the_bank_through_the_api_with_history(people, client_for):
    document = _doc(people.team_a, people.author)
    client = client_for(people.qa)
    body = {"team": people.team_a.pk, "question": "Is every sponsored post disclosed?", "clause": "8.6"}
    created = client.post(API, body | {"document": document.pk, "guidance": "Sample ten"}, content_type=JSON)
    assert created.status_code == 201, created.content
    item = created.json()
    assert (item["clause"], item["document_number"], item["active"]) == ("8.6", "SOP-BANK-1", True)
    changed = client.patch(f"{API}{item['id']}/", {"clause": "8.6.1", "document": None}, content_type=JSON)
    assert changed.status_code == 200 and changed.json()["clause"] == "8.6.1" and changed.json()["document"] is None
    retired = client.patch(f"{API}{item['id']}/", {"active": False}, content_type=JSON)
    assert retired.json()["active"] is False and retired.json()["retired_at"]
    history = client.get(f"{API}{item['id']}/history/").json()
    assert [h["reason"] for h in history] == [
        "retired from the question bank",
        "bank question changed",
        "added to the question bank",
    ]
    assert history[1]["who"] == people.qa.printed_name
    assert client.get(f"{API}{item['id']}/").json()["active"] is False


def test_the_list_filters_by_team_clause_search_and_state(people, client_for):
    first, second, third = _bank(people, 3)  # clauses 8.5, 8.6, 8.5
    services.bank_question_update(question_id=second.pk, guidance="look at the alt text", by=people.qa)
    services.bank_question_retire(question_id=third.pk, by=people.qa)
    client = client_for(people.qa)

    def ids(query=""):
        response = client.get(f"{API}?{query}")
        assert response.status_code == 200, response.content
        return sorted(r["id"] for r in response.json()["results"])

    assert ids() == sorted([first.pk, second.pk, third.pk])
    assert ids("clause=8.5") == sorted([first.pk, third.pk])
    assert ids("clause=8") == sorted([first.pk, second.pk, third.pk])  # sub-clauses too
    assert ids("search=ALT+text") == [second.pk]
    assert ids("active=true") == [first.pk, second.pk]
    assert ids("active=false") == [third.pk]
    assert ids(f"team={people.team_b.pk}") == []


def test_an_auditor_reads_the_bank_but_cannot_change_it(people, client_for):
    (item,) = _bank(people)
    client = client_for(people.auditor)
    assert [r["id"] for r in client.get(API).json()["results"]] == [item.pk]
    assert client.post(API, {"team": people.team_a.pk, "question": "Mine?"}, content_type=JSON).status_code == 403
    assert client.patch(f"{API}{item.pk}/", {"clause": "9.2"}, content_type=JSON).status_code == 403
    assert client.get(reverse("audits:bank")).status_code == 200
    page = client.get(reverse("audits:bank-question", args=[item.pk]))
    assert page.status_code == 200 and b'data-testid="retire"' not in page.content
    assert page.context["form"] is None
    assert client.post(reverse("audits:bank-question", args=[item.pk]), {"question": "x"}).status_code == 404
    assert client.post(reverse("audits:bank-question-step", args=[item.pk, "retire"])).status_code == 404
    assert client.get(reverse("audits:bank-create")).status_code == 404
    with pytest.raises(PermissionDenied):
        services.bank_question_retire(question_id=item.pk, by=people.auditor)
    assert BankQuestion.objects.get(pk=item.pk).active


@pytest.mark.parametrize("who", ["outsider", "lead", "viewer"])
def test_people_without_a_part_in_audits_of_the_team_get_a_404(people, client_for, who):
    (item,) = _bank(people)
    client = client_for(getattr(people, who))
    assert client.get(reverse("audits:bank")).status_code == 404
    assert client.get(reverse("audits:bank-question", args=[item.pk])).status_code == 404
    assert client.get(API).json()["results"] == []
    assert client.get(f"{API}{item.pk}/").status_code == 404
    assert client.patch(f"{API}{item.pk}/", {"clause": "9.2"}, content_type=JSON).status_code == 404


def test_another_teams_question_is_a_404_for_its_qa_manager(people, client_for, auditor_b):
    other_qa = UserFactory(username="quinn")
    MembershipFactory(user=other_qa, team=people.team_b, role=Role.QA_MANAGER)
    (item,) = _bank(people)
    client = client_for(other_qa)
    assert client.get(f"{API}{item.pk}/").status_code == 404
    assert client.get(reverse("audits:bank-question", args=[item.pk])).status_code == 404
    assert client.post(reverse("audits:bank-question-step", args=[item.pk, "retire"])).status_code == 404
    assert client.post(API, {"team": people.team_a.pk, "question": "Theirs?"}, content_type=JSON).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"question": ""}, "question"),
        ({"question": "Nul\x00byte?"}, "detail"),  # the API's JSON parser refuses NUL anywhere
        ({"question": "x" * 2001}, "question"),
        ({"question": "Ok?", "clause": "7.5.x"}, "clause"),
        ({"question": "Ok?", "clause": "11.1"}, "clause"),
        ({"question": "Ok?", "clause": "7" * 21}, "clause"),
        ({"question": "Ok?", "guidance": "bell\x07"}, "guidance"),
        ({"question": "Ok?", "document": 0}, "document"),
        ({"question": "Ok?", "document": 99999}, "document"),
    ],
)
def test_bad_input_is_a_400_by_field_and_writes_nothing(people, client_for, body, field):
    client = client_for(people.qa)
    response = client.post(API, {"team": people.team_a.pk} | body, content_type=JSON)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not BankQuestion.objects.exists()


def test_the_service_refuses_control_characters_by_field(people):
    with pytest.raises(ValidationError) as error:
        services.bank_question_create(team=people.team_a, question="Nul\x00byte?", clause="7.5.x", by=people.qa)
    assert sorted(error.value.errors) == ["clause", "question"]  # every bad field at once


def test_another_teams_document_is_refused_by_field_without_saying_whose(people, client_for):
    both = UserFactory(username="quinn")
    MembershipFactory(user=both, team=people.team_a, role=Role.QA_MANAGER)
    MembershipFactory(user=both, team=people.team_b, role=Role.QA_MANAGER)
    theirs = _doc(people.team_b, people.outsider, number="SOP-B-9")
    client = client_for(both)
    body = {"team": people.team_a.pk, "question": "Linked?", "document": theirs.pk}
    response = client.post(API, body, content_type=JSON)
    assert response.status_code == 400
    missing = client.post(API, body | {"document": theirs.pk + 1000}, content_type=JSON)
    assert response.json() == missing.json()  # the same answer as a document that doesn't exist
    (item,) = _bank(people)
    with pytest.raises(ValidationError) as error:
        services.bank_question_update(question_id=item.pk, document=theirs.pk, by=both)
    assert list(error.value.errors) == ["document"]


def test_bad_filters_are_a_400(people, client_for):
    client = client_for(people.qa)
    assert client.get(f"{API}?clause=seven").status_code == 400
    assert client.get(f"{API}?colour=red").status_code == 400
    assert client.get(f"{API}?active=maybe").status_code == 400
    assert client.get(f"{API}?search=" + "x" * 201).status_code == 400
    page = client.get(reverse("audits:bank"), {"clause": "seven"})
    assert page.status_code == 400 and b'data-testid="error-clause"' in page.content


def test_the_pages_add_change_and_retire_a_question(people, client_for):
    document = _doc(people.team_a, people.author)
    client = client_for(people.qa)
    assert b'data-testid="bank-link"' in client.get(reverse("audits:list")).content
    bad = client.post(reverse("audits:bank-create"), {"team": people.team_a.pk, "question": "Ok?", "clause": "x"})
    assert bad.status_code == 400 and b'data-testid="error-clause"' in bad.content
    response = client.post(
        reverse("audits:bank-create"),
        {"team": people.team_a.pk, "question": "Are SOPs reviewed?", "clause": "7.5.2", "document": document.pk},
    )
    item = BankQuestion.objects.get()
    assert response.status_code == 302 and item.document_id == document.pk
    url = reverse("audits:bank-question", args=[item.pk])
    saved = client.post(url, {"question": "Are SOPs reviewed yearly?", "clause": "7.5.2", "document": ""})
    assert saved.status_code == 302
    item.refresh_from_db()
    assert (item.question, item.document_id) == ("Are SOPs reviewed yearly?", None)
    client.post(reverse("audits:bank-question-step", args=[item.pk, "retire"]))
    item.refresh_from_db()
    assert not item.active
    listing = client.get(reverse("audits:bank"))
    assert b"reviewed yearly" not in listing.content
    assert b"reviewed yearly" in client.get(reverse("audits:bank"), {"retired": "on"}).content
    client.post(reverse("audits:bank-question-step", args=[item.pk, "reinstate"]))
    item.refresh_from_db()
    assert item.active and item.retired_at is None


def test_the_checklist_builder_offers_only_questions_not_retired(people, client_for, programme):
    offered, retired = _bank(people, 2)
    services.bank_question_retire(question_id=retired.pk, by=people.qa)
    audit = plan_audit(people, programme)
    page = client_for(people.auditor).get(reverse("audits:checklist", args=[audit.pk]))
    assert [b.pk for b in page.context["bank"]] == [offered.pk]
    assert list(selectors.bank_for(people.auditor, {people.team_a.pk})) == [offered]
    with pytest.raises(ValidationError):
        services.audit_question_add(audit_id=audit.pk, bank_question_id=retired.pk, by=people.auditor)
    # An audit that already used a question keeps it when the question is retired later.
    used = services.audit_question_add(audit_id=audit.pk, bank_question_id=offered.pk, by=people.auditor)
    services.bank_question_retire(question_id=offered.pk, by=people.qa)
    used.refresh_from_db()
    assert used.bank_question_id == offered.pk


def _count(call) -> int:
    call()
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [API, "/audits/question-bank/"])
def test_the_bank_lists_cost_the_same_at_two_sizes(people, client_for, url):
    document = _doc(people.team_a, people.author)
    client = client_for(people.qa)
    _bank(people, 2, document_id=document.pk)
    small = _count(lambda: client.get(url))
    _bank(people, 6, document_id=document.pk)
    assert _count(lambda: client.get(url)) == small
