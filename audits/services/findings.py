"""Findings. A major or minor nonconformity raises exactly one nonconformity through capa's service
(source = the finding), linked both ways; saving the finding again raises nothing more."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from audits import permissions as perms
from audits.models import NC_SEVERITY, AuditQuestion, Classification, Finding
from audits.reminders import FINDING_RESPONSE
from audits.selectors import audit_lock
from audits.workflow import ensure_working
from core.exceptions import ValidationError
from core.services import notifications_resolve

from ._common import choice, ensure_visible, save, text
from .checklists import _clause

EDITABLE = ("classification", "clause", "statement", "requirement", "evidence_text", "response_due")
# The auditee's response is due this many days after the finding is recorded, unless the lead
# auditor sets another date.
RESPONSE_DAYS = 14


def _response_due(value, recorded_on: date) -> date:
    if not isinstance(value, date):
        raise ValidationError({"response_due": "Give a date (YYYY-MM-DD)."})
    if value < recorded_on:
        raise ValidationError({"response_due": f"Give a date on or after {recorded_on:%Y-%m-%d} (recorded)."})
    if value > recorded_on + timedelta(days=366):
        raise ValidationError({"response_due": "Give a date within a year of the finding."})
    return value


def _raise_nonconformity(finding: Finding, by: User) -> None:
    """Idempotent: capa returns the existing NC for this finding, and the link is set once."""
    if finding.nonconformity_id is not None or finding.classification not in NC_SEVERITY:
        return
    from capa.services import nonconformity_raise

    audit = finding.audit
    nc = nonconformity_raise(
        source=finding,
        team=finding.team,
        severity=NC_SEVERITY[finding.classification],
        category="process",
        title=f"{finding.reference}: {finding.statement.splitlines()[0]}"[:200],
        description=(
            f"{finding.get_classification_display()} found in audit {audit.reference} ({audit.title})"
            + (f", ISO 9001 {finding.clause}" if finding.clause else "")
            + f".\n\n{finding.statement}"
            + (f"\n\nRequirement: {finding.requirement}" if finding.requirement else "")
            + (f"\n\nEvidence: {finding.evidence_text}" if finding.evidence_text else "")
        ),
        by=by,
    )
    finding.nonconformity = nc
    save(finding, f"nonconformity {nc.reference} raised", by)


def _clean(data: dict) -> dict:
    out = {}
    if "classification" in data:
        out["classification"] = choice(data["classification"], Classification, "classification")
    if "clause" in data:
        out["clause"] = _clause(data["clause"])
    if "statement" in data:
        out["statement"] = text(data["statement"], "statement", required="State the finding.")
    for field in ("requirement", "evidence_text"):
        if field in data:
            out[field] = text(data[field], field)
    return out


def _lock_finding(finding_id: int):
    """The audit first, then the finding: the same lock order as every other audit write."""
    audit_id = Finding.objects.filter(pk=finding_id).values_list("audit_id", flat=True).first()
    ensure_visible(audit_id is not None, "finding")
    audit = audit_lock(audit_id)
    finding = Finding.objects.select_for_update().get(pk=finding_id)
    finding.audit = audit
    return audit, finding


@transaction.atomic
def finding_create(
    *,
    audit_id: int,
    classification: str,
    statement: str,
    by: User,
    clause: str = "",
    requirement: str = "",
    evidence_text: str = "",
    team_id: int | None = None,
    question_id: int | None = None,
    response_due: date | None = None,
) -> Finding:
    audit = audit_lock(audit_id)
    ensure_visible(perms.can_view(by, audit))
    perms.ensure(perms.can_run(by, audit), "Only the audit's auditors record findings.")
    ensure_working(audit.status, "finding")
    cleaned = _clean(
        {
            "classification": classification,
            "statement": statement,
            "clause": clause,
            "requirement": requirement,
            "evidence_text": evidence_text,
        }
    )
    audited = perms.audited_team_ids(audit)
    if team_id is None:
        team_id = audit.team_id if audit.team_id in audited else min(audited)
    elif team_id not in audited:
        raise ValidationError({"team": "Choose one of the audited teams."})
    question = None
    if question_id is not None:
        question = AuditQuestion.objects.filter(audit=audit, pk=question_id).first()
        if question is None:
            raise ValidationError({"question": "Choose a question of this audit."})
        if not cleaned["clause"]:
            cleaned["clause"] = question.clause
    today = timezone.localdate()
    if response_due is None:
        response_due = today + timedelta(days=RESPONSE_DAYS)
    else:
        perms.ensure(perms.is_lead(by, audit), "Only the lead auditor sets when the response is due.")
    cleaned["response_due"] = _response_due(response_due, today)
    number = (Finding.objects.filter(audit=audit).aggregate(m=Max("number"))["m"] or 0) + 1
    finding = Finding(audit=audit, number=number, team_id=team_id, question=question, created_by=by, **cleaned)
    save(finding, "finding recorded", by)
    _raise_nonconformity(finding, by)
    return finding


@transaction.atomic
def finding_update(*, finding_id: int, by: User, **data) -> Finding:
    """Change a finding while the audit is open. Reclassifying an observation as an NC raises its
    nonconformity then; an NC already raised stays (capa closes it, not the audit)."""
    audit, finding = _lock_finding(finding_id)
    ensure_visible(perms.can_view(by, audit), "finding")
    perms.ensure(perms.can_run(by, audit), "Only the audit's auditors change findings.")
    ensure_working(audit.status, "finding")
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValidationError({k: "Unknown field." for k in sorted(unknown)})
    cleaned = _clean(data)
    if "response_due" in data:
        perms.ensure(perms.is_lead(by, audit), "Only the lead auditor changes when the response is due.")
        cleaned["response_due"] = _response_due(data["response_due"], timezone.localdate(finding.created_at))
    if finding.nonconformity_id and cleaned.get("classification", finding.classification) not in NC_SEVERITY:
        raise ValidationError(
            {
                "classification": f"{finding.nonconformity.reference} was raised for this finding: "
                "it stays a nonconformity."
            }
        )
    changed = {k: v for k, v in cleaned.items() if getattr(finding, k) != v}
    if changed:
        for name, value in changed.items():
            setattr(finding, name, value)
        save(finding, "finding changed", by)
    _raise_nonconformity(finding, by)
    return finding


@transaction.atomic
def finding_respond(*, finding_id: int, response: str, by: User) -> Finding:
    """The auditee's response (a team lead of the team the finding is about)."""
    audit, finding = _lock_finding(finding_id)
    ensure_visible(perms.can_view(by, audit), "finding")
    perms.ensure(perms.can_respond(by, finding), "Only a team lead of the audited team responds to a finding.")
    ensure_working(audit.status, "respond")
    finding.auditee_response = text(response, "response", required="Write the response.")
    finding.responded_by = by
    finding.responded_at = timezone.now()
    save(finding, "auditee responded", by)
    notifications_resolve(subject=finding, kind=FINDING_RESPONSE)  # its reminders leave the inbox
    return finding
