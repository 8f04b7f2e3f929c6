"""Demo audits for Brand: this year's programme with a closed process audit (answers, a minor NC
finding with its nonconformity and CAPA, an attachment), a closed content audit, and a planned
content audit led by erin starting next week whose checklist can be copied from the closed one.
Re-runnable: an audit with the same title in the programme is left as it is."""

from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Team, User

from . import services
from .models import Audit, AuditProgramme, BankQuestion

BANK = [
    ("7.5.3", "Is the SOP in use the version in force, and are superseded versions withdrawn from use?"),
    ("8.6", "Is every sponsored post approved before publication by someone other than its author?"),
    ("8.7", "Are nonconforming posts taken down or corrected, and is the action recorded?"),
    ("7.2", "Have the people doing the work acknowledged the SOPs they work to?"),
    ("9.1.1", "Are post-publication samples drawn and reviewed every week?"),
]
CONTENT_QUESTIONS = [
    ("8.6", "Does every sampled sponsored post carry a visible disclosure?"),
    ("8.5.1", "Does every image in the sample have alt text?"),
    ("8.5.1", "Are links in the sample working and tagged with UTM parameters?"),
]


def _bank(team, by) -> list[BankQuestion]:
    found = []
    for clause, question in BANK:
        item = BankQuestion.objects.filter(team=team, question=question).first()
        found.append(item or services.bank_question_create(team=team, question=question, clause=clause, by=by))
    return found


def _plan(programme, title, *, lead, by, start, **extra) -> tuple[Audit, bool]:
    existing = Audit.objects.filter(programme=programme, title=title).first()
    if existing is not None:
        return existing, False
    audit = services.audit_create(
        programme=programme,
        title=title,
        planned_start=start,
        planned_end=start + timedelta(days=1),
        lead_auditor=lead.pk,
        by=by,
        **extra,
    )
    return audit, True


def seed(stdout=None) -> dict:
    team = Team.objects.filter(name="Brand").first()
    users = {u.username: u for u in User.objects.filter(username__in=["alice", "ben", "erin"])}
    alice, ben, erin = (users.get(n) for n in ("alice", "ben", "erin"))
    if team is None or not all((alice, ben, erin)):
        return {}
    password = settings.QMS_DEMO_PASSWORD
    today = timezone.localdate()
    programme = AuditProgramme.objects.filter(team=team, year=today.year).first() or services.programme_create(
        team=team,
        year=today.year,
        objectives="Audit every process of the publishing cycle once a year; sample published content each quarter.",
        by=alice,
    )
    bank = _bank(team, alice)

    # A closed process audit with a minor NC finding, its nonconformity and CAPA, and an attachment.
    audit, new = _plan(
        programme,
        "Publishing and approval process",
        lead=erin,
        by=alice,
        start=today - timedelta(days=120),
        audit_type="process",
        clauses=["7.5.3", "8.6", "8.7"],
        processes="Drafting, approval and publication of sponsored posts",
        period_start=today - timedelta(days=210),
        period_end=today - timedelta(days=121),
        auditees=[ben.pk],
    )
    if new:
        questions = [services.audit_question_add(audit_id=audit.pk, bank_question_id=b.pk, by=erin) for b in bank]
        services.audit_start(audit_id=audit.pk, by=erin)
        answers = ["conforming", "nonconforming", "conforming", "observation", "conforming"]
        for question, value in zip(questions, answers, strict=True):
            services.answer_record(
                audit_id=audit.pk,
                question_id=question.pk,
                value=value,
                notes="Two of 20 sponsored posts had no approval record." if value == "nonconforming" else "",
                by=erin,
            )
        finding = services.finding_create(
            audit_id=audit.pk,
            classification="minor_nc",
            clause="8.6",
            statement="Two of 20 sampled sponsored posts were published without a recorded approval.",
            requirement="SOP-SM-001 §3: sponsored posts are approved by a second person before publication.",
            evidence_text="Posts of 12 and 19 March; approval log export attached.",
            question_id=questions[1].pk,
            by=erin,
        )
        services.evidence_add(
            audit_id=audit.pk,
            finding_id=finding.pk,
            upload=SimpleUploadedFile(
                "approval-log-march.csv", b"post,approved_by\n12-03,\n19-03,\n", content_type="text/csv"
            ),
            note="Approval log export: the two posts have no approver.",
            by=erin,
        )
        from capa.services import nonconformity_open_capa

        finding.refresh_from_db()
        nonconformity_open_capa(nonconformity_id=finding.nonconformity_id, owner=alice, by=alice)
        services.finding_respond(
            finding_id=finding.pk, response="Agreed: approval becomes a required step in the tool.", by=ben
        )
        services.audit_report(
            audit_id=audit.pk,
            summary="The publishing process is in place and mostly followed.",
            method="Interviews with the team lead, a sample of 20 sponsored posts, the approval log.",
            conclusion="Effective, with one minor nonconformity on approvals of sponsored posts.",
            by=erin,
        )
        services.audit_close(audit_id=audit.pk, password=password, by=erin)

    # A closed content audit: the checklist the planned one copies.
    earlier, new = _plan(
        programme,
        "Content audit · first half",
        lead=erin,
        by=alice,
        start=today - timedelta(days=90),
        audit_type="content",
        clauses=["8.5.1", "8.6"],
        period_start=today - timedelta(days=180),
        period_end=today - timedelta(days=91),
    )
    if new:
        questions = [
            services.audit_question_add(audit_id=earlier.pk, text_=text, clause=clause, by=erin)
            for clause, text in CONTENT_QUESTIONS
        ]
        services.audit_start(audit_id=earlier.pk, by=erin)
        for question in questions:
            services.answer_record(audit_id=earlier.pk, question_id=question.pk, value="conforming", by=erin)
        services.audit_report(audit_id=earlier.pk, conclusion="Content conforms.", by=erin)
        services.audit_close(audit_id=earlier.pk, password=password, by=erin)

    # Planned, led by erin, starting next week: its checklist is copied from the one above.
    _plan(
        programme,
        "Content audit · second half",
        lead=erin,
        by=alice,
        start=today + timedelta(days=7),
        audit_type="content",
        clauses=["8.5.1", "8.6"],
        period_start=today - timedelta(days=90),
        period_end=today - timedelta(days=1),
        auditees=[ben.pk],
    )
    return {"audits": Audit.objects.filter(programme=programme).count()}
