"""Who may do what with audits. One predicate per step; services, API, views and templates ask these.

- planners (``AUDIT_PLAN``, QA managers) plan programmes and audits of their teams and see them all;
- auditors (``AUDIT_RUN``) run the audits they are assigned to, as lead or other auditor;
- auditees (``AUDIT_RESPOND``, team leads) see the audits of their teams and answer findings.
"""

from __future__ import annotations

from accounts.permissions import has_right, team_ids_with_right
from accounts.roles import Right
from core.exceptions import PermissionDenied

# Rights that make a member part of a team's work (admin, QA manager, team lead, reviewer): such a
# member is not independent of the team (ISO 9001 9.2.2 c). Auditors and viewers hold none of them.
WORKING_RIGHTS = frozenset(
    {
        Right.MANAGE_TEAM,
        Right.DOCUMENT_AUTHOR,
        Right.DOCUMENT_APPROVE,
        Right.DOCUMENT_MANAGE,
        Right.POST_MANAGE,
        Right.POST_REVIEW,
        Right.CHECKLIST_MANAGE,
        Right.CAPA_WORK,
        Right.CAPA_SIGN,
        Right.AUDIT_PLAN,
    }
)


def auditor_ids(audit) -> set[int]:
    """The lead auditor and the other auditors (``auditors`` prefetched by the selectors)."""
    return {audit.lead_auditor_id} | {u.pk for u in audit.auditors.all()}


def audited_team_ids(audit) -> set[int]:
    return {t.pk for t in audit.audited_teams.all()}


def can_see_audits(user) -> bool:
    """The navigation entry and the list page: someone who may see at least some audits."""
    return bool(team_ids_with_right(user, Right.AUDIT_VIEW))


def can_plan(user, team_id: int | None) -> bool:
    return has_right(user, team_id, Right.AUDIT_PLAN)


def can_be_auditor(user, team_id: int) -> bool:
    """Who may be assigned to an audit of this programme's team."""
    return has_right(user, team_id, Right.AUDIT_RUN) or has_right(user, team_id, Right.AUDIT_PLAN)


def is_assigned(user, audit) -> bool:
    return user.is_authenticated and user.pk in auditor_ids(audit) and can_be_auditor(user, audit.team_id)


def is_lead(user, audit) -> bool:
    return user.is_authenticated and user.pk == audit.lead_auditor_id and can_be_auditor(user, audit.team_id)


def can_view(user, audit) -> bool:
    if can_plan(user, audit.team_id) or is_assigned(user, audit):
        return True
    return any(has_right(user, tid, Right.AUDIT_RESPOND) for tid in audited_team_ids(audit) | {audit.team_id})


def can_edit_plan(user, audit) -> bool:
    return can_plan(user, audit.team_id)


def can_override_independence(user, audit) -> bool:
    return can_plan(user, audit.team_id)


def can_cancel(user, audit) -> bool:
    return can_plan(user, audit.team_id)


def can_start(user, audit) -> bool:
    return is_lead(user, audit)


def can_run(user, audit) -> bool:
    """Build the checklist, answer, record findings and evidence: the assigned auditors."""
    return is_assigned(user, audit)


def can_report(user, audit) -> bool:
    return is_lead(user, audit)


def can_close(user, audit) -> bool:
    return is_lead(user, audit)


def can_respond(user, finding) -> bool:
    """The auditee's response to a finding: a team lead of the team the finding is about."""
    return has_right(user, finding.team_id, Right.AUDIT_RESPOND)


def can_see_bank(user, team_id: int) -> bool:
    """The team's question bank, read-only: planners and auditors of the team."""
    return can_plan(user, team_id) or has_right(user, team_id, Right.AUDIT_RUN)


def can_manage_bank(user, team_id: int) -> bool:
    """Add, change, retire and reinstate the team's bank questions: those who plan its audits."""
    return can_plan(user, team_id)


def ensure(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
