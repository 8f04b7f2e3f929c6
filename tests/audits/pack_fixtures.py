"""An audit with everything an evidence pack reads: answers, findings, evidence files with hostile
names, an NC and its CAPA, a post review with a defect, a sampling lot, SOP versions in and out of
the period. Every text that reaches a CSV carries a formula payload."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from audits import models as am
from core.models import Attachment

FORMULA = '=HYPERLINK("http://evil.example","x")'
HOSTILE_NAMES = [
    "../x.txt",
    "a/../../b.txt",
    "ctrl\x01char\nline.txt",
    "dup.txt",
    "dup.txt",
    "Prüfbericht für Ärztin.txt",
    "CON.txt",
]


@dataclass
class PackAudit:
    audit: am.Audit
    other: am.Audit  # another audit of the same team, the auditor is not assigned to it
    attachments: list
    in_period: list  # document versions the pack must hold
    out_of_period: list  # and must not


def _attachment(people, name: str, body: bytes) -> Attachment:
    att = Attachment(
        team=people.team_a,
        original_name=name,
        extension=".txt",
        size=len(body),
        content_type="text/plain",
        sha256=__import__("hashlib").sha256(body).hexdigest(),
        uploaded_by=people.auditor,
        created_at=timezone.now(),
    )
    att.file.save("upload", ContentFile(body), save=False)
    att.save()
    return att


def _version(document, major, *, status, effective_days_ago, superseded_days_ago=None, author):
    from docs_control.models import DocumentVersion

    now = timezone.now()
    return DocumentVersion.objects.create(
        document=document,
        major=major,
        minor=0,
        body=f"## Rules v{major}\n{FORMULA}\n",
        author=author,
        status=status,
        effective_at=now - timedelta(days=effective_days_ago),
        superseded_at=now - timedelta(days=superseded_days_ago) if superseded_days_ago is not None else None,
    )


def _documents(people):
    from docs_control.models import Document

    def doc(number):
        return Document.objects.create(
            number=number, title=f"{FORMULA} {number}", team=people.team_a, owner=people.lead
        )

    a, b, c = doc("SOP-A-001"), doc("SOP-B-002"), doc("SOP-C-003")
    # Period: 120 to 20 days ago.
    a1 = _version(a, 1, status="superseded", effective_days_ago=300, superseded_days_ago=60, author=people.author)
    a2 = _version(a, 2, status="effective", effective_days_ago=60, author=people.author)
    b1 = _version(b, 1, status="effective", effective_days_ago=10, author=people.author)  # after the period
    c1 = _version(c, 1, status="superseded", effective_days_ago=400, superseded_days_ago=200, author=people.author)
    c2 = _version(c, 2, status="effective", effective_days_ago=200, author=people.author)
    return [a1, a2, c2], [b1, c1]


def _review(people):
    from post_reviews import services as pr
    from post_reviews.models import PostReview, SamplingLot
    from tests.post_reviews.conftest import make_checklist, make_post, results_for

    account = pr.account_create(team_id=people.team_a.pk, platform="x", handle="brand", by=people.qa)
    checklist = make_checklist(people, number="SOP-PR-009")
    post = make_post(account, "p1", by=people.qa, text=FORMULA)
    review = pr.review_submit(
        data=pr.ReviewInput(
            post_id=post.pk,
            checklist_id=checklist.pk,
            stage="post_publication",
            results=results_for(checklist),
            notes=FORMULA,
            defects=[{"category": "spelling_grammar", "severity": "minor", "note": FORMULA}],
        ),
        by=people.reviewer,
    )
    PostReview.objects.filter(pk=review.pk).update(submitted_at=timezone.now() - timedelta(days=50))
    today = timezone.localdate()
    SamplingLot.objects.create(
        team=people.team_a,
        account=account,
        period_start=today - timedelta(days=100),
        period_end=today - timedelta(days=93),
        method="iso2859",
        lot_size=50,
        sample_size=8,
        accept=0,
        reject=1,
        seed=42,
        sample_post_ids=[post.pk],
        created_by=people.qa,
    )
    return account


def make_pack_audit(people) -> PackAudit:
    from capa.services import nonconformity_raise

    today = timezone.localdate()
    programme = am.AuditProgramme.objects.create(
        team=people.team_a, year=today.year, objectives=FORMULA, owner=people.qa
    )

    def audit(ref, lead):
        a = am.Audit.objects.create(
            reference=ref,
            programme=programme,
            team=people.team_a,
            title=f"{FORMULA} process audit",
            audit_type="process",
            status="reporting",
            processes=FORMULA,
            period_start=today - timedelta(days=120),
            period_end=today - timedelta(days=20),
            lead_auditor=lead,
            planned_start=today - timedelta(days=15),
            planned_end=today - timedelta(days=10),
            summary=FORMULA,
            conclusion=FORMULA,
        )
        a.audited_teams.set([people.team_a])
        return a

    main = audit("AUD-2026-001", people.auditor)
    other = audit("AUD-2026-002", people.qa)
    in_period, out_of_period = _documents(people)
    _review(people)

    questions = [
        am.AuditQuestion.objects.create(
            audit=main, order=i, text=f"{FORMULA} question {i}", clause="7.5.3", guidance=FORMULA, source="new"
        )
        for i in (1, 2)
    ]
    answers = [
        am.Answer.objects.create(
            question=q, audit=main, value="nonconforming", notes=FORMULA, answered_by=people.auditor
        )
        for q in questions
    ]
    finding = am.Finding.objects.create(
        audit=main,
        number=1,
        team=people.team_a,
        question=questions[0],
        classification="minor_nc",
        clause="7.5.3",
        statement=FORMULA,
        requirement=FORMULA,
        evidence_text=FORMULA,
        auditee_response=FORMULA,
        created_by=people.auditor,
    )
    nc = nonconformity_raise(
        source=finding, team=people.team_a, severity="minor", description=FORMULA, title=FORMULA, by=people.auditor
    )
    finding.nonconformity = nc
    finding.save()

    attachments = []
    for i, name in enumerate(HOSTILE_NAMES):
        att = _attachment(people, name, f"evidence {i}\n".encode())
        attachments.append(att)
        target = {"finding": finding} if i % 2 else {"answer": answers[0]}
        am.Evidence.objects.create(audit=main, attachment=att, added_by=people.auditor, note=FORMULA, **target)
    am.Evidence.objects.create(
        audit=main,
        answer=answers[1],
        record_kind="nonconformity",
        record_id=nc.pk,
        record_label=FORMULA,
        added_by=people.auditor,
    )
    return PackAudit(audit=main, other=other, attachments=attachments, in_period=in_period, out_of_period=out_of_period)
