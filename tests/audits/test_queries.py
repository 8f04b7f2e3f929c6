"""Bounded query counts: the audit list, the finding list and the audit page cost the same at two sizes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits import services
from audits.workflow import Status

from .conftest import audit_at, evidence_file

pytestmark = pytest.mark.django_db


def _count(call) -> int:
    call()  # warm the content-type cache, as a running server has
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(people, programme, n: int) -> None:
    for i in range(n):
        audit = audit_at(people, programme, Status.IN_PROGRESS, title=f"Audit {i}")
        for classification in ("minor_nc", "observation"):
            finding = services.finding_create(
                audit_id=audit.pk, classification=classification, statement=f"Finding {i}", by=people.auditor
            )
            services.evidence_add(audit_id=audit.pk, finding_id=finding.pk, upload=evidence_file(), by=people.auditor)


@pytest.mark.parametrize(
    "url",
    ["/api/v1/audits/", "/api/v1/findings/", "/audits/", "/audits/findings/", "/api/v1/audit-programmes/"],
)
def test_lists_cost_the_same_at_one_and_three_times_the_rows(people, client_for, programme, url):
    client = client_for(people.qa)
    _grow(people, programme, 1)
    small = _count(lambda: client.get(url))
    _grow(people, programme, 2)
    assert _count(lambda: client.get(url)) == small


def test_the_audit_page_costs_the_same_with_more_questions_and_findings(people, client_for, programme):
    client = client_for(people.auditor)
    audit = audit_at(people, programme, Status.IN_PROGRESS, questions=2)
    url = reverse("audits:detail", args=[audit.pk])

    def more():
        for _ in range(2):
            q = services.audit_question_add(audit_id=audit.pk, text_="More", by=people.auditor)
            services.answer_record(audit_id=audit.pk, question_id=q.pk, value="observation", by=people.auditor)
            f = services.finding_create(audit_id=audit.pk, classification="minor_nc", statement="x", by=people.auditor)
            services.evidence_add(audit_id=audit.pk, finding_id=f.pk, upload=evidence_file(), by=people.auditor)

    more()
    small = _count(lambda: client.get(url))
    more()
    more()
    assert _count(lambda: client.get(url)) == small
    checklist = reverse("audits:checklist", args=[audit.pk])
    small = _count(lambda: client.get(checklist))
    more()
    assert _count(lambda: client.get(checklist)) == small
    report = reverse("audits:report", args=[audit.pk])
    small = _count(lambda: client.get(report))
    more()
    assert _count(lambda: client.get(report)) == small
