"""Programmes and audits: plan, change while planned, start, report, close (signed), cancel."""

import re
from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import Team, User
from accounts.permissions import can_view_team, team_ids_of
from audits import permissions as perms
from audits.models import Audit, AuditProgramme, AuditType
from audits.reminders import FINDING_RESPONSE, OVERDUE, UPCOMING
from audits.selectors import audit_lock
from audits.workflow import Status, assert_transition
from core.exceptions import TransitionNotAllowed, ValidationError
from core.models import Meaning
from core.services import notifications_resolve, signature_create

from ._common import choice, ensure_visible, next_reference, save, text
from .independence import ensure_independent

CLAUSE = re.compile(r"^(4|5|6|7|8|9|10)(\.\d{1,2}){0,3}( ?[a-g]\))?$")
PLAN_FIELDS = frozenset(
    {
        "title",
        "audit_type",
        "planned_start",
        "planned_end",
        "period_start",
        "period_end",
        "processes",
        "clauses",
        "lead_auditor",
        "auditors",
        "auditees",
        "audited_teams",
        "documents",
        "account",
    }
)


# --- programmes --------------------------------------------------------------------------------


@transaction.atomic
def programme_create(*, team: Team, year: int, objectives: str, owner: User | None = None, by: User) -> AuditProgramme:
    if not can_view_team(by, team.pk):
        raise ValidationError({"team": "Choose one of your teams."})
    perms.ensure(perms.can_plan(by, team.pk), "Only a QA manager of the team plans its audit programme.")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": "Give a year between 2000 and 2100."})
    objectives = text(objectives, "objectives", required="Say what the programme should achieve.")
    owner = owner or by
    if not perms.can_plan(owner, team.pk):
        raise ValidationError({"owner": "The owner must be a QA manager of the team."})
    if AuditProgramme.objects.filter(team=team, year=year).exists():
        raise ValidationError({"year": f"{team} already has an audit programme for {year}."})
    programme = AuditProgramme(team=team, year=year, objectives=objectives, owner=owner, created_by=by)
    save(programme, "programme created", by)
    return programme


@transaction.atomic
def programme_update(*, programme_id: int, by: User, objectives: str | None = None) -> AuditProgramme:
    programme = AuditProgramme.objects.select_for_update().filter(pk=programme_id).first()
    ensure_visible(programme is not None and perms.can_plan(by, programme.team_id), "audit programme")
    if objectives is not None:
        programme.objectives = text(objectives, "objectives", required="Say what the programme should achieve.")
        save(programme, "objectives changed", by)
    return programme


# --- scope and people ----------------------------------------------------------------------------


def _users(ids, field: str) -> list[User]:
    ids = list(dict.fromkeys(ids or []))
    found = {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True)}
    if len(found) != len(ids):
        raise ValidationError({field: "Choose existing, active people."})
    return [found[i] for i in ids]


def _clean_plan(data: dict, *, team_id: int, by: User) -> dict:
    """Check the planned fields given; return them cleaned (ids turned into records)."""
    out: dict = {}
    errors: dict[str, str] = {}
    if "title" in data:
        out["title"] = text(data["title"], "title", required="Give the audit a title.", max_length=200)
    if "audit_type" in data:
        out["audit_type"] = choice(data["audit_type"], AuditType, "audit_type")
    if "processes" in data:
        out["processes"] = text(data["processes"], "processes")
    for field in ("planned_start", "planned_end", "period_start", "period_end"):
        if field in data:
            value = data[field]
            if value is not None and not isinstance(value, date):
                errors[field] = "Give a date."
            out[field] = value
    if "clauses" in data:
        clauses = data["clauses"] or []
        if not isinstance(clauses, list) or not all(isinstance(c, str) for c in clauses):
            errors["clauses"] = "Give a list of ISO 9001 clauses such as 7.5.3."
        else:
            clauses = [c.strip() for c in clauses if c.strip()]
            bad = [c for c in clauses if not CLAUSE.match(c)]
            if bad:
                errors["clauses"] = f"Not ISO 9001 clauses: {', '.join(bad[:5])[:200]}."
            out["clauses"] = list(dict.fromkeys(clauses))
    if "lead_auditor" in data:
        lead = _users([data["lead_auditor"]], "lead_auditor")[0]
        if not perms.can_be_auditor(lead, team_id):
            errors["lead_auditor"] = "The lead auditor must be an auditor or QA manager of the programme's team."
        out["lead_auditor"] = lead
    if "auditors" in data:
        auditors = _users(data["auditors"], "auditors")
        if any(not perms.can_be_auditor(u, team_id) for u in auditors):
            errors["auditors"] = "Auditors must be auditors or QA managers of the programme's team."
        out["auditors"] = auditors
    if "audited_teams" in data:
        ids = list(dict.fromkeys(data["audited_teams"] or []))
        visible = team_ids_of(by)
        teams = list(Team.objects.filter(pk__in=[i for i in ids if i in visible]))
        if len(teams) != len(ids) or not ids:
            errors["audited_teams"] = "Choose one or more of your teams."
        out["audited_teams"] = teams
    if errors:
        raise ValidationError(errors)
    return out


def _check_scope_records(audit: Audit, data: dict, by: User) -> dict:
    """Documents, auditees and the account must belong to the audited teams (checked once the
    audited teams are known)."""
    from docs_control.selectors import document_list_for
    from post_reviews.selectors import account_list_for

    out: dict = {}
    audited = {t.pk for t in audit.audited_teams.all()}
    if "documents" in data:
        ids = list(dict.fromkeys(data["documents"] or []))
        docs = list(document_list_for(by).filter(pk__in=ids, team_id__in=audited))
        if len(docs) != len(ids):
            raise ValidationError({"documents": "Choose documents of the audited teams."})
        out["documents"] = docs
    if "auditees" in data:
        auditees = _users(data["auditees"], "auditees")
        if any(not any(can_view_team(u, t) for t in audited) for u in auditees):
            raise ValidationError({"auditees": "Auditees must be members of an audited team."})
        out["auditees"] = auditees
    if "account" in data:
        account = None
        if data["account"] is not None:
            account = account_list_for(by).filter(pk=data["account"], team_id__in=audited).first()
            if account is None:
                raise ValidationError({"account": "Choose a social account of an audited team."})
        out["account"] = account
    return out


def _check_dates(audit: Audit) -> None:
    errors = {}
    if audit.planned_start is None or audit.planned_end is None:
        errors["planned_start"] = "Give the planned start and end."
    elif audit.planned_end < audit.planned_start:
        errors["planned_end"] = "The audit ends before it starts."
    if audit.period_start and audit.period_end and audit.period_end < audit.period_start:
        errors["period_end"] = "The period under review ends before it starts."
    if errors:
        raise ValidationError(errors)


def _apply(audit: Audit, cleaned: dict, reason: str, by: User) -> None:
    m2m = {k: cleaned.pop(k) for k in ("auditors", "auditees", "audited_teams", "documents") if k in cleaned}
    for name, value in cleaned.items():
        setattr(audit, name, value)
    _check_dates(audit)
    if audit.pk is None:
        save(audit, reason, by)
    for name, value in m2m.items():
        getattr(audit, name).set(value)
    # The history row is written after the many-to-many fields are set, so it shows them.
    save(audit, reason, by)


# --- audits ----------------------------------------------------------------------------------------


@transaction.atomic
def audit_create(*, programme: AuditProgramme, by: User, **data) -> Audit:
    """Plan an audit in a programme. ``data``: the plan fields (ids for people, teams, documents
    and the account). The programme's team is audited unless other teams are given."""
    perms.ensure(perms.can_plan(by, programme.team_id), "Only a QA manager of the team plans its audits.")
    unknown = set(data) - PLAN_FIELDS
    if unknown:
        raise ValidationError({k: "Unknown field." for k in sorted(unknown)})
    for required in ("title", "audit_type", "planned_start", "planned_end", "lead_auditor"):
        if data.get(required) in (None, ""):
            raise ValidationError({required: "This field is required."})
    data.setdefault("audited_teams", [programme.team_id])
    cleaned = _clean_plan(data, team_id=programme.team_id, by=by)
    audit = Audit(programme=programme, team_id=programme.team_id, reference=next_reference(), created_by=by)
    _apply(audit, cleaned, "planned", by)
    later = _check_scope_records(audit, data, by)
    if later:
        _apply(audit, later, "scope set", by)
    return audit


@transaction.atomic
def audit_update(*, audit_id: int, by: User, **data) -> Audit:
    """Change the plan. Only while planned: once started, the scope is what was audited."""
    audit = audit_lock(audit_id)
    ensure_visible(perms.can_view(by, audit))
    perms.ensure(perms.can_edit_plan(by, audit), "Only a QA manager of the team changes the plan.")
    if audit.status != Status.PLANNED:
        raise TransitionNotAllowed(audit.status, "edit", f"{audit.reference} is {audit.status}: the plan is fixed.")
    unknown = set(data) - PLAN_FIELDS
    if unknown:
        raise ValidationError({k: "Unknown field." for k in sorted(unknown)})
    cleaned = _clean_plan(data, team_id=audit.team_id, by=by)
    _apply(audit, cleaned, "plan changed", by)
    later = _check_scope_records(audit, data, by)
    if later:
        _apply(audit, later, "plan changed", by)
    return audit


@transaction.atomic
def audit_start(*, audit_id: int, by: User) -> Audit:
    """The lead auditor starts the audit. Refused while an auditor is not independent of an
    audited team and no QA manager has signed an override."""
    audit = audit_lock(audit_id)
    ensure_visible(perms.can_view(by, audit))
    if audit.status == Status.IN_PROGRESS:
        return audit
    assert_transition(audit.status, Status.IN_PROGRESS)
    perms.ensure(perms.can_start(by, audit), "Only the lead auditor starts the audit.")
    ensure_independent(audit)
    audit.status = Status.IN_PROGRESS
    audit.actual_start = timezone.localdate()
    save(audit, "audit started", by)
    notifications_resolve(subject=audit, kind=UPCOMING)  # "starts in 7 days" is moot now
    from audits.tasks import audit_notify_started

    audit_notify_started.delay_on_commit(audit.pk)
    return audit


@transaction.atomic
def audit_report_update(
    *, audit_id: int, by: User, summary: str | None = None, method: str | None = None, conclusion: str | None = None
) -> Audit:
    """Write the report's summary, method and conclusion (while in progress or reporting)."""
    audit = audit_lock(audit_id)
    ensure_visible(perms.can_view(by, audit))
    perms.ensure(perms.can_report(by, audit), "Only the lead auditor writes the report.")
    if not audit.is_working:
        raise TransitionNotAllowed(audit.status, "report", f"{audit.reference} is {audit.status}: the report is fixed.")
    for name, value in (("summary", summary), ("method", method), ("conclusion", conclusion)):
        if value is not None:
            setattr(audit, name, text(value, name))
    save(audit, "report written", by)
    return audit


@transaction.atomic
def audit_report(
    *, audit_id: int, by: User, summary: str | None = None, method: str | None = None, conclusion: str | None = None
) -> Audit:
    """Fieldwork done: the audit moves to reporting."""
    audit = audit_lock(audit_id)
    ensure_visible(perms.can_view(by, audit))
    if audit.status == Status.REPORTING:
        return audit
    assert_transition(audit.status, Status.REPORTING)
    perms.ensure(perms.can_report(by, audit), "Only the lead auditor moves the audit to reporting.")
    for name, value in (("summary", summary), ("method", method), ("conclusion", conclusion)):
        if value is not None:
            setattr(audit, name, text(value, name))
    audit.status = Status.REPORTING
    save(audit, "fieldwork done: reporting", by)
    notifications_resolve(subject=audit, kind=OVERDUE)  # fieldwork is done
    return audit


@transaction.atomic
def audit_close(*, audit_id: int, password: str, by: User) -> Audit:
    """The lead auditor signs the report (meaning approved) and the audit is closed and frozen."""
    audit = audit_lock(audit_id)
    ensure_visible(perms.can_view(by, audit))
    if audit.status == Status.CLOSED:
        return audit
    assert_transition(audit.status, Status.CLOSED)
    perms.ensure(perms.can_close(by, audit), "Only the lead auditor signs and closes the audit.")
    if not audit.conclusion:
        raise ValidationError({"conclusion": "Write the report's conclusion before closing."})
    audit.status = Status.CLOSED
    audit.closed_at = timezone.now()
    audit.actual_end = timezone.localdate()
    save(audit, "report signed: closed", by)
    signature = signature_create(
        record=audit, by=by, password=password, meaning=Meaning.APPROVED, comment="Audit report approved"
    )
    audit.closed_signature = signature
    # The signature hash covers the closed state; this save only links the signature row.
    save(audit, "report signature linked", by)
    _resolve_all(audit)
    return audit


@transaction.atomic
def audit_cancel(*, audit_id: int, reason: str, by: User) -> Audit:
    audit = audit_lock(audit_id)
    ensure_visible(perms.can_view(by, audit))
    if audit.status == Status.CANCELLED:
        return audit
    assert_transition(audit.status, Status.CANCELLED)
    perms.ensure(perms.can_cancel(by, audit), "Only a QA manager of the team cancels an audit.")
    audit.cancel_reason = text(reason, "reason", required="Say why the audit is cancelled.")
    audit.status = Status.CANCELLED
    audit.cancelled_at = timezone.now()
    save(audit, f"cancelled: {audit.cancel_reason[:100]}", by)
    _resolve_all(audit)
    return audit


def _resolve_all(audit: Audit) -> None:
    """A closed or cancelled audit asks nothing more of anyone: its reminders and those of its
    findings (a response can no longer be recorded) leave the inboxes."""
    notifications_resolve(subject=audit)
    for finding in audit.findings.filter(auditee_response=""):
        notifications_resolve(subject=finding, kind=FINDING_RESPONSE)
