"""Audit pages: what each role sees, the steps offered, the checklist and finding forms, the report and PDF."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits import services
from audits.models import Answer, Finding
from audits.workflow import Status
from tests.factories import PASSWORD

from .conftest import audit_at, plan_audit

pytestmark = pytest.mark.django_db


def test_the_lead_auditor_sees_start_and_not_plan_buttons(people, client_for, programme):
    audit = plan_audit(people, programme)
    page = client_for(people.auditor).get(reverse("audits:detail", args=[audit.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="start"' in html
    assert 'data-testid="cancel"' not in html
    qa = client_for(people.qa).get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert 'data-testid="cancel"' in qa and 'data-testid="start"' not in qa


def test_pages_walk_an_audit_to_closed(people, client_for, programme):
    audit = audit_at(people, programme, Status.PLANNED, questions=2)
    client = client_for(people.auditor)
    assert client.post(reverse("audits:step", args=[audit.pk, "start"])).status_code == 302
    page = client.get(reverse("audits:checklist", args=[audit.pk]))
    assert page.status_code == 200 and b"audit_checklist.js" in page.content
    questions = list(audit.questions.order_by("order"))
    client.post(
        reverse("audits:answers-save", args=[audit.pk]),
        {f"q{questions[0].pk}": "conforming", f"q{questions[1].pk}": "nonconforming", f"notes{questions[1].pk}": "x"},
    )
    assert Answer.objects.filter(audit=audit).count() == 2
    evidence = SimpleUploadedFile("shot.txt", b"screen\n", content_type="text/plain")
    client.post(reverse("audits:answer-evidence", args=[audit.pk, questions[1].pk]), {"file": evidence})
    assert Answer.objects.get(question=questions[1]).evidence.count() == 1
    made = client.post(
        reverse("audits:finding-create", args=[audit.pk]),
        {
            "classification": "minor_nc",
            "statement": "Unapproved post",
            "clause": "8.6",
            "team": people.team_a.pk,
            "file": SimpleUploadedFile("proof.txt", b"proof\n", content_type="text/plain"),
        },
    )
    assert made.status_code == 302, made.content.decode()[:2000]
    finding = Finding.objects.get()
    detail = client.get(finding.get_absolute_url()).content.decode()
    assert finding.nonconformity.reference in detail and "proof.txt" in detail
    nc_page = client_for(people.qa).get(finding.nonconformity.get_absolute_url()).content.decode()
    assert finding.get_absolute_url() in nc_page
    client = client_for(people.auditor)
    client.post(reverse("audits:step", args=[audit.pk, "report"]))
    client.post(reverse("audits:report", args=[audit.pk]), {"summary": "S", "method": "M", "conclusion": "C"})
    client.post(reverse("audits:step", args=[audit.pk, "close"]), {"password": PASSWORD})
    audit.refresh_from_db()
    assert audit.status == Status.CLOSED
    report = client.get(reverse("audits:report", args=[audit.pk])).content.decode()
    assert "Approved" in report and people.auditor.printed_name in report
    pdf = client.get(reverse("audits:report-pdf", args=[audit.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_wrong_password_on_close_is_shown_and_signs_nothing(people, client_for, programme):
    audit = audit_at(people, programme, Status.REPORTING)
    page = client_for(people.auditor).post(
        reverse("audits:step", args=[audit.pk, "close"]), {"password": "nope"}, follow=True
    )
    assert "password" in page.content.decode().lower()
    audit.refresh_from_db()
    assert audit.status == Status.REPORTING


def test_the_override_is_shown_on_the_audit_and_in_the_report(people, client_for, programme):
    from accounts.roles import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=people.author, team=people.team_a, role=Role.AUDITOR)
    audit = plan_audit(people, programme, lead=people.author)
    qa = client_for(people.qa)
    assert 'data-testid="independence-conflicts"' in qa.get(audit.get_absolute_url()).content.decode()
    qa.post(
        reverse("audits:step", args=[audit.pk, "override"]),
        {"justification": "Only trained auditor", "password": PASSWORD},
    )
    assert 'data-testid="independence-override"' in qa.get(audit.get_absolute_url()).content.decode()
    report = qa.get(reverse("audits:report", args=[audit.pk])).content.decode()
    assert 'data-testid="report-override"' in report and "Only trained auditor" in report


def test_programme_calendar_and_list(people, client_for, programme):
    audit = plan_audit(people, programme)
    client = client_for(people.qa)
    cal = client.get(programme.get_absolute_url()).content.decode()
    assert audit.reference in cal
    listing = client.get(reverse("audits:list"))
    assert audit.reference in listing.content.decode()
    assert client.get(reverse("audits:list") + "?status=bogus").status_code == 400


@pytest.mark.parametrize("who", ["viewer", "author", "outsider"])
def test_people_without_audit_rights_get_404(people, client_for, programme, who):
    audit = plan_audit(people, programme)
    client = client_for(getattr(people, who))
    assert client.get(audit.get_absolute_url()).status_code == 404
    assert client.get(programme.get_absolute_url()).status_code == 404
    assert client.get(reverse("audits:checklist", args=[audit.pk])).status_code == 404
    if who == "outsider":  # a team lead of team B: the audits of B (none), never A's
        assert audit.reference not in client.get(reverse("audits:list")).content.decode()
    else:
        assert client.get(reverse("audits:list")).status_code == 404
        assert 'href="/audits/"' not in client.get("/").content.decode()


def test_the_nav_and_dashboard_show_audits_to_the_auditor(people, client_for, programme):
    audit = plan_audit(people, programme)
    page = client_for(people.auditor).get("/").content.decode()
    assert 'href="/audits/"' in page
    assert 'data-testid="audits-panel"' in page and audit.reference in page


def test_evidence_picker_offers_only_visible_records(people, client_for, programme):
    from capa.services import nonconformity_raise

    audit = audit_at(people, programme, Status.IN_PROGRESS)
    finding = services.finding_create(audit_id=audit.pk, classification="ofi", statement="x", by=people.auditor)
    other = nonconformity_raise(
        source=None, source_kind="complaint", team=people.team_b, severity="minor", description="B", by=people.outsider
    )
    html = client_for(people.auditor).get(finding.get_absolute_url()).content.decode()
    assert f"nonconformity:{other.pk}" not in html
    response = client_for(people.auditor).post(
        reverse("audits:finding-evidence", args=[audit.pk, finding.pk]), {"record": f"nonconformity:{other.pk}"}
    )
    assert response.status_code == 302
    assert not finding.evidence.exists()


def test_the_qa_manager_changes_the_plan_on_its_page_while_planned(people, client_for, programme):
    audit = plan_audit(people, programme)
    client = client_for(people.qa)
    url = reverse("audits:edit", args=[audit.pk])
    form = client.get(url)
    assert form.status_code == 200 and audit.title in form.content.decode()
    data = {
        "title": "Renamed",
        "audit_type": "process",
        "planned_start": audit.planned_start.isoformat(),
        "planned_end": audit.planned_end.isoformat(),
        "lead_auditor": people.auditor.pk,
        "audited_teams": [people.team_a.pk],
        "clauses": "7.5.3, 8.6",
    }
    assert client.post(url, data).status_code == 302
    audit.refresh_from_db()
    assert audit.title == "Renamed" and audit.clauses == ["7.5.3", "8.6"]
    bad = client.post(url, data | {"clauses": "banana"})
    assert bad.status_code == 400
    services.audit_start(audit_id=audit.pk, by=people.auditor)
    assert client.get(url).status_code == 404
    assert client_for(people.auditor).get(url).status_code == 404
