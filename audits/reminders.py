"""What audits have due, read by core's reminder job (``send_due_reminders``):

- ``audit_upcoming``: a planned audit 14 and 7 days before its planned start, to the lead
  auditor, the other auditors and the team leads of the audited teams;
- ``audit_overdue``: an audit in progress whose planned end has passed (not yet in reporting), to
  the lead auditor, then escalated to the programme team's team leads after the team's
  ``escalate_lead_days`` and to its QA managers after ``escalate_qa_days``;
- ``audit_finding_response``: a finding waiting for the auditee's response, 7 days and 1 day before
  ``response_due``, on the day, then overdue with the same escalation in the finding's team. It goes
  to the audit's auditees who may respond for that team (its team leads named as auditees), or to
  every team lead of that team when none is named.

Set-based: a handful of queries whatever the number of audits and findings. Every reached window
is yielded on every run; the outbox's unique row makes each go out once, so a missed run catches
up. Done items leave the inbox through ``notifications_resolve`` in the services (start, reporting,
close, cancel, respond).
"""

from collections import defaultdict
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.roles import Role
from accounts.selectors import members_by_team
from core.reminders import BEFORE, Due, escalation_buckets, window_bucket

from .models import Audit, Finding
from .workflow import WORKING, Status

UPCOMING = "audit_upcoming"
OVERDUE = "audit_overdue"
FINDING_RESPONSE = "audit_finding_response"
# Windows before an audit's planned start, in days.
AHEAD = (14, 7)


def _pairs(through, audit_ids: list[int], field: str) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    if audit_ids:
        for audit_id, other in through.objects.filter(audit_id__in=audit_ids).values_list("audit_id", field):
            found[audit_id].append(other)
    return found


def _escalated(row: dict, due_on: date, today: date, recipients: dict[str, list[int]]):
    """(step, person) for every escalation step reached: ``overdue`` to the owners, then team
    leads, then QA managers, each after the team's own number of days."""
    steps = escalation_buckets(
        due_on, today, lead_days=row["team__escalate_lead_days"], qa_days=row["team__escalate_qa_days"]
    )
    for step in steps:
        for person in recipients[step]:
            yield step, person


def _upcoming(today: date):
    audits = list(
        Audit.objects.filter(
            status=Status.PLANNED, planned_start__gte=today, planned_start__lte=today + timedelta(days=max(AHEAD))
        ).values("pk", "reference", "title", "planned_start", "lead_auditor_id")
    )
    ids = [a["pk"] for a in audits]
    auditors = _pairs(Audit.auditors.through, ids, "user_id")
    audited = _pairs(Audit.audited_teams.through, ids, "team_id")
    leads = members_by_team({t for teams in audited.values() for t in teams}, Role.TEAM_LEAD)
    audit_type = ContentType.objects.get_for_model(Audit).pk
    for audit in audits:
        bucket = window_bucket(audit["planned_start"], today, before=AHEAD)
        if bucket not in {f"{d}d" for d in AHEAD}:
            continue  # the start day itself: the audit is starting, nothing to prepare for
        people = {audit["lead_auditor_id"], *auditors[audit["pk"]]}
        people |= {lead for team in audited[audit["pk"]] for lead in leads.get(team, [])}
        for person in sorted(people):
            yield Due(
                person,
                UPCOMING,
                audit_type,
                audit["pk"],
                bucket,
                f"Audit {audit['reference']} starts {audit['planned_start']:%d %b %Y}: {audit['title']}",
                reverse("audits:detail", args=[audit["pk"]]),
                audit["planned_start"],
            )


def _overdue(today: date):
    audits = list(
        Audit.objects.filter(status=Status.IN_PROGRESS, planned_end__lt=today).values(
            "pk",
            "reference",
            "title",
            "planned_end",
            "lead_auditor_id",
            "team_id",
            "team__escalate_lead_days",
            "team__escalate_qa_days",
        )
    )
    teams = {a["team_id"] for a in audits}
    leads, qa = members_by_team(teams, Role.TEAM_LEAD), members_by_team(teams, Role.QA_MANAGER)
    audit_type = ContentType.objects.get_for_model(Audit).pk
    for audit in audits:
        recipients = {
            "overdue": [audit["lead_auditor_id"]],
            "escalated-lead": leads.get(audit["team_id"], []),
            "escalated-qa": qa.get(audit["team_id"], []),
        }
        for step, person in _escalated(audit, audit["planned_end"], today, recipients):
            yield Due(
                person,
                OVERDUE,
                audit_type,
                audit["pk"],
                step,
                f"Audit overdue: {audit['reference']} was planned to end {audit['planned_end']:%d %b %Y}",
                reverse("audits:detail", args=[audit["pk"]]),
                audit["planned_end"],
            )


def _responses(today: date):
    findings = list(
        Finding.objects.filter(
            auditee_response="",
            response_due__lte=today + timedelta(days=max(BEFORE)),
            audit__status__in=WORKING,
        ).values(
            "pk",
            "number",
            "statement",
            "response_due",
            "team_id",
            "audit_id",
            "audit__reference",
            "team__escalate_lead_days",
            "team__escalate_qa_days",
        )
    )
    teams = {f["team_id"] for f in findings}
    leads, qa = members_by_team(teams, Role.TEAM_LEAD), members_by_team(teams, Role.QA_MANAGER)
    auditees = _pairs(Audit.auditees.through, list({f["audit_id"] for f in findings}), "user_id")
    finding_type = ContentType.objects.get_for_model(Finding).pk
    for finding in findings:
        team_leads = leads.get(finding["team_id"], [])
        owners = [u for u in auditees[finding["audit_id"]] if u in team_leads] or team_leads
        what = f"{finding['audit__reference']}-F{finding['number']:02d}: {finding['statement'][:100]}"
        url = reverse("audits:finding", args=[finding["pk"]])
        bucket = window_bucket(finding["response_due"], today)
        if bucket is None:
            continue
        if bucket != "overdue":
            for person in owners:
                yield Due(
                    person,
                    FINDING_RESPONSE,
                    finding_type,
                    finding["pk"],
                    bucket,
                    f"Finding response due: {what}",
                    url,
                    finding["response_due"],
                )
            continue
        recipients = {"overdue": owners, "escalated-lead": team_leads, "escalated-qa": qa.get(finding["team_id"], [])}
        for step, person in _escalated(finding, finding["response_due"], today, recipients):
            yield Due(
                person,
                FINDING_RESPONSE,
                finding_type,
                finding["pk"],
                step,
                f"Overdue finding response: {what}",
                url,
                finding["response_due"],
            )


def due_reminders(today: date):
    yield from _upcoming(today)
    yield from _overdue(today)
    yield from _responses(today)
