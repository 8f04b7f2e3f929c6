"""The finding list page (scoped, filtered, keyset-paged) and the response due date on the finding
page and in the API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audits import selectors, services
from audits.workflow import Status

from .conftest import audit_at

pytestmark = pytest.mark.django_db


def _findings(people, programme, n=3):
    audit = audit_at(people, programme, Status.IN_PROGRESS)
    return [
        services.finding_create(
            audit_id=audit.pk,
            classification="minor_nc" if i % 2 else "observation",
            statement=f"Statement {i}",
            by=people.auditor,
        )
        for i in range(n)
    ]


def test_the_finding_list_shows_the_users_findings_newest_first_with_filters(people, client_for, programme):
    first, second, third = _findings(people, programme)
    services.finding_respond(finding_id=third.pk, response="Done", by=people.lead)
    client = client_for(people.qa)
    page = client.get(reverse("audits:findings"))
    assert [f.pk for f in page.context["findings"]] == [third.pk, second.pk, first.pk]
    assert b'data-testid="findings-link"' in client.get(reverse("audits:list")).content
    minor = client.get(reverse("audits:findings"), {"classification": "minor_nc"})
    assert [f.pk for f in minor.context["findings"]] == [second.pk]
    awaiting = client.get(reverse("audits:findings"), {"awaiting": "on"})
    assert [f.pk for f in awaiting.context["findings"]] == [second.pk, first.pk]
    assert client.get(reverse("audits:findings"), {"classification": "bogus"}).status_code == 400


def test_the_finding_list_pages_by_keyset(people, client_for, programme, monkeypatch):
    monkeypatch.setattr(selectors, "FINDING_PAGE", 2)
    first, second, third = _findings(people, programme)
    client = client_for(people.qa)
    page = client.get(reverse("audits:findings"))
    assert [f.pk for f in page.context["findings"]] == [third.pk, second.pk]
    assert page.context["next_url"] == f"?after={second.pk}"
    older = client.get(reverse("audits:findings") + page.context["next_url"])
    assert [f.pk for f in older.context["findings"]] == [first.pk] and older.context["next_url"] is None


def test_the_finding_list_is_scoped_and_a_404_for_people_without_audits(people, client_for, programme, auditor_b):
    _findings(people, programme, 1)
    assert client_for(auditor_b).get(reverse("audits:findings")).context["findings"] == []
    assert client_for(people.author).get(reverse("audits:findings")).status_code == 404


def test_the_lead_auditor_moves_the_response_date_on_the_finding_page(people, client_for, programme):
    (finding,) = _findings(people, programme, 1)
    url = reverse("audits:finding", args=[finding.pk])
    assert b'data-testid="set-due"' not in client_for(people.lead).get(url).content
    client = client_for(people.auditor)
    page = client.get(url)
    assert b'data-testid="set-due"' in page.content and b'data-testid="response-due"' in page.content
    later = finding.response_due + timedelta(days=3)
    client.post(reverse("audits:finding-response-due", args=[finding.pk]), {"response_due": later.isoformat()})
    finding.refresh_from_db()
    assert finding.response_due == later
    too_early = (timezone.localdate() - timedelta(days=1)).isoformat()
    client.post(reverse("audits:finding-response-due", args=[finding.pk]), {"response_due": too_early})
    finding.refresh_from_db()
    assert finding.response_due == later


def test_the_api_shows_and_takes_the_response_date_from_the_lead_only(people, client_for, programme):
    (finding,) = _findings(people, programme, 1)
    client = client_for(people.auditor)
    url = f"/api/v1/findings/{finding.pk}/"
    assert client.get(url).json()["response_due"] == finding.response_due.isoformat()
    later = (finding.response_due + timedelta(days=1)).isoformat()
    assert client.patch(url, {"response_due": later}, content_type="application/json").json()["response_due"] == later
    bad = client.patch(url, {"response_due": "tomorrow"}, content_type="application/json")
    assert bad.status_code == 400 and "response_due" in bad.json()
    lead = client_for(people.lead).patch(url, {"response_due": later}, content_type="application/json")
    assert lead.status_code == 403


def test_the_audit_list_pages_by_keyset_across_equal_and_earlier_start_days(people, client_for, programme, monkeypatch):
    from .conftest import plan_audit

    monkeypatch.setattr(selectors, "AUDIT_PAGE", 2)
    same_a = plan_audit(people, programme, title="A", days=10)
    same_b = plan_audit(people, programme, title="B", days=10)
    same_c = plan_audit(people, programme, title="C", days=10)
    earlier = plan_audit(people, programme, title="D", days=3)
    latest = plan_audit(people, programme, title="E", days=20)
    client = client_for(people.qa)
    seen, url = [], reverse("audits:list")
    while url:
        page = client.get(url)
        assert page.status_code == 200
        seen += [a.pk for a in page.context["audits"]]
        url = reverse("audits:list") + page.context["next_url"] if page.context["next_url"] else None
    assert seen == [latest.pk, same_c.pk, same_b.pk, same_a.pk, earlier.pk]
    assert client.get(reverse("audits:list"), {"after": "yesterday:1"}).status_code == 400
    filtered = client.get(reverse("audits:list"), {"status": "planned"})
    assert "status=planned" in filtered.context["next_url"]
