"""Audit reminders: 14 and 7 days before a planned start, an overdue audit in progress, and findings
waiting for the auditee's response; each to the right people in its bucket, escalation steps once
each, a missed day still sends, a rerun sends nothing more, and done items leave the inbox."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from audits import services
from audits.workflow import Status
from core.exceptions import PermissionDenied, ValidationError
from core.models import Notification
from core.selectors import notification_unread_count
from core.services import reminders_send_due
from tests.factories import PASSWORD, MembershipFactory, UserFactory

from .conftest import audit_at, plan_audit

pytestmark = pytest.mark.django_db


def _at(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def _sent(kind: str) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", "due_bucket"))


@pytest.fixture
def olga(people):
    """A second auditor of team A."""
    user = UserFactory(username="olga")
    MembershipFactory(user=user, team=people.team_a, role=Role.AUDITOR)
    return user


def test_a_planned_audit_is_announced_14_and_7_days_ahead_to_auditors_and_auditee_leads(people, programme, olga):
    audit = plan_audit(people, programme, days=20, auditors=[olga.pk])
    start = audit.planned_start
    for before in (15, 14, 13, 8, 7, 6, 1, 0):
        reminders_send_due(now=_at(start - timedelta(days=before)))
    everyone = ("ben", "cara", "erin", "olga")
    assert _sent("audit_upcoming") == sorted([(u, "14d") for u in everyone] + [(u, "7d") for u in everyone])


def test_a_missed_run_sends_the_latest_window_once_and_a_started_audit_leaves_the_inbox(people, programme):
    audit = plan_audit(people, programme, days=20)
    # Nothing ran until five days before the start: the 7-day reminder goes, the 14-day one is moot.
    assert reminders_send_due(now=_at(audit.planned_start - timedelta(days=5))) == 3
    assert reminders_send_due(now=_at(audit.planned_start - timedelta(days=4))) == 0
    assert _sent("audit_upcoming") == [("ben", "7d"), ("cara", "7d"), ("erin", "7d")]
    assert notification_unread_count(people.auditor) == 1
    services.audit_start(audit_id=audit.pk, by=people.auditor)
    assert notification_unread_count(people.auditor) == 0


def test_a_cancelled_or_started_audit_is_not_announced(people, programme):
    cancelled = plan_audit(people, programme, days=10)
    services.audit_cancel(audit_id=cancelled.pk, reason="Moved to next year", by=people.qa)
    started = audit_at(people, programme, Status.IN_PROGRESS)
    reminders_send_due(now=_at(started.planned_start - timedelta(days=7)))
    assert _sent("audit_upcoming") == []


def test_an_audit_past_its_planned_end_is_overdue_then_escalated_once_each(people, programme):
    audit = audit_at(people, programme, Status.IN_PROGRESS)
    end = audit.planned_end
    reminders_send_due(now=_at(end))
    assert _sent("audit_overdue") == []
    for late in (1, 2, 3, 4, 7, 8):
        reminders_send_due(now=_at(end + timedelta(days=late)))
    assert _sent("audit_overdue") == [
        ("alice", "escalated-qa"),
        ("ben", "escalated-lead"),
        ("cara", "escalated-lead"),
        ("erin", "overdue"),
    ]


def test_overdue_escalation_days_are_the_teams_and_reporting_resolves_it(people, programme):
    people.team_a.escalate_lead_days = 1
    people.team_a.escalate_qa_days = 2
    people.team_a.save()
    audit = audit_at(people, programme, Status.IN_PROGRESS)
    # A missed week: one run catches up with every step reached.
    assert reminders_send_due(now=_at(audit.planned_end + timedelta(days=2))) == 4
    assert {b for _, b in _sent("audit_overdue")} == {"overdue", "escalated-lead", "escalated-qa"}
    assert notification_unread_count(people.auditor) == 1
    services.audit_report(audit_id=audit.pk, conclusion="Effective.", by=people.auditor)
    assert notification_unread_count(people.auditor) == 0
    assert Notification.objects.filter(kind="audit_overdue", done_at__isnull=True).count() == 0
    assert reminders_send_due(now=_at(audit.planned_end + timedelta(days=9))) == 0


def _open(user, kind="audit_finding_response") -> int:
    return Notification.objects.filter(recipient=user, kind=kind, done_at__isnull=True).count()


def _finding(people, programme, **extra):
    audit = audit_at(people, programme, Status.IN_PROGRESS, **extra)
    return services.finding_create(
        audit_id=audit.pk, classification="observation", statement="No UTM on links", by=people.auditor
    )


def test_a_finding_is_given_a_response_date_when_recorded(people, programme):
    finding = _finding(people, programme)
    assert finding.response_due == timezone.localdate() + timedelta(days=14)


def test_a_finding_response_is_reminded_in_each_window_then_escalated_once_each(people, programme):
    finding = _finding(people, programme)
    due = finding.response_due
    for before in (8, 7, 6, 1, 0):
        reminders_send_due(now=_at(due - timedelta(days=before)))
    leads = ("ben", "cara")
    assert _sent("audit_finding_response") == sorted((u, b) for u in leads for b in ("7d", "1d", "due"))
    for late in (1, 2, 3, 6, 7, 8):
        reminders_send_due(now=_at(due + timedelta(days=late)))
    assert _sent("audit_finding_response") == sorted(
        [(u, b) for u in leads for b in ("7d", "1d", "due", "overdue", "escalated-lead")] + [("alice", "escalated-qa")]
    )


def test_a_named_auditee_lead_is_the_one_reminded_until_it_escalates(people, programme):
    finding = _finding(people, programme, auditees=[people.lead.pk, people.author.pk])
    due = finding.response_due
    reminders_send_due(now=_at(due - timedelta(days=1)))
    assert _sent("audit_finding_response") == [("ben", "1d")]  # dan is an auditee but can't respond
    reminders_send_due(now=_at(due + timedelta(days=3)))
    assert ("cara", "escalated-lead") in _sent("audit_finding_response")


def test_a_response_leaves_the_inbox_and_is_not_reminded_again(people, programme):
    finding = _finding(people, programme)
    reminders_send_due(now=_at(finding.response_due - timedelta(days=1)))
    assert _open(people.lead) == 1
    assert reminders_send_due(now=_at(finding.response_due - timedelta(days=1))) == 0  # a rerun sends nothing
    services.finding_respond(finding_id=finding.pk, response="Links fixed; UTM added to the template.", by=people.lead)
    assert _open(people.lead) == _open(people.lead2) == 0
    before = _sent("audit_finding_response")
    reminders_send_due(now=_at(finding.response_due + timedelta(days=9)))
    assert _sent("audit_finding_response") == before


def test_closing_the_audit_resolves_the_reminders_of_its_unanswered_findings(people, programme):
    finding = _finding(people, programme)
    reminders_send_due(now=_at(finding.response_due))
    assert _open(people.lead) == 1
    services.audit_report(audit_id=finding.audit_id, conclusion="Effective.", by=people.auditor)
    services.audit_close(audit_id=finding.audit_id, password=PASSWORD, by=people.auditor)
    assert _open(people.lead) == 0
    assert reminders_send_due(now=_at(finding.response_due + timedelta(days=9))) == 0  # the audit's too


def test_only_the_lead_auditor_moves_the_response_date(people, programme, olga):
    finding = _finding(people, programme, auditors=[olga.pk])
    later = finding.response_due + timedelta(days=7)
    with pytest.raises(PermissionDenied):
        services.finding_update(finding_id=finding.pk, response_due=later, by=olga)
    with pytest.raises(ValidationError) as error:
        services.finding_update(
            finding_id=finding.pk, response_due=timezone.localdate() - timedelta(days=1), by=people.auditor
        )
    assert "response_due" in error.value.errors
    updated = services.finding_update(finding_id=finding.pk, response_due=later, by=people.auditor)
    assert updated.response_due == later
    assert updated.history.first().history_change_reason == "finding changed"
