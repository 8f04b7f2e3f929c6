"""Audit builders: a programme of team A planned by its QA manager, audits led by erin (auditor in
team A), driven to any stage through the services."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import Role
from audits import services
from audits.models import AuditType
from audits.workflow import Status
from tests.factories import PASSWORD, MembershipFactory, UserFactory


def evidence_file(name: str = "screenshot.txt", content: bytes = b"the post as published\n"):
    return SimpleUploadedFile(name, content, content_type="text/plain")


@pytest.fixture
def programme(people):
    return services.programme_create(team=people.team_a, year=2026, objectives="Audit every process once", by=people.qa)


@pytest.fixture
def auditor_b(people):
    """An auditor of team B only: assigned to nothing in team A."""
    user = UserFactory(username="olga")
    MembershipFactory(user=user, team=people.team_b, role=Role.AUDITOR)
    return user


def plan_audit(
    people, programme, *, lead=None, title="Publishing process", audit_type=AuditType.PROCESS, days=7, **extra
):
    start = timezone.localdate() + timedelta(days=days)
    return services.audit_create(
        programme=programme,
        title=title,
        audit_type=audit_type,
        planned_start=start,
        planned_end=start + timedelta(days=2),
        lead_auditor=(lead or people.auditor).pk,
        by=people.qa,
        **extra,
    )


def audit_at(people, programme, stage: str, *, questions: int = 2, **extra):
    """An audit driven to ``stage`` by the services, with a few questions (and answers once started)."""
    audit = plan_audit(people, programme, **extra)
    erin = people.auditor
    added = [
        services.audit_question_add(audit_id=audit.pk, text_=f"Question {i}", clause="7.5.3", by=erin)
        for i in range(questions)
    ]
    if stage == Status.PLANNED:
        return audit
    if stage == Status.CANCELLED:
        return services.audit_cancel(audit_id=audit.pk, reason="Team reorganised", by=people.qa)
    services.audit_start(audit_id=audit.pk, by=erin)
    for q in added:
        services.answer_record(audit_id=audit.pk, question_id=q.pk, value="conforming", by=erin)
    if stage == Status.IN_PROGRESS:
        return _fresh(audit)
    services.audit_report(audit_id=audit.pk, conclusion="The process is effective.", by=erin)
    if stage == Status.REPORTING:
        return _fresh(audit)
    services.audit_close(audit_id=audit.pk, password=PASSWORD, by=erin)
    return _fresh(audit)


def _fresh(audit):
    audit.refresh_from_db()
    return audit
