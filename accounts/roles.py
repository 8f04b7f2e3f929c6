"""Roles and the rights they grant: the one place that says who may do what.

A role is held per team (a Membership). Predicates in ``permissions.py`` ask
"does this user hold a right in this team", never for a role by name.
"""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Administrator"
    QA_MANAGER = "qa_manager", "QA manager"
    TEAM_LEAD = "team_lead", "Team lead"
    REVIEWER = "reviewer", "Reviewer"
    AUDITOR = "auditor", "Auditor"
    VIEWER = "viewer", "Viewer"


class Right(models.TextChoices):
    VIEW = "view", "See the team's records"
    MANAGE_TEAM = "manage_team", "Manage members and roles"
    DOCUMENT_AUTHOR = "document_author", "Draft and submit SOP revisions"
    DOCUMENT_APPROVE = "document_approve", "Approve SOP revisions"
    DOCUMENT_MANAGE = "document_manage", "Change any document's details and withdraw versions"
    DOCUMENT_ACKNOWLEDGE = "document_acknowledge", "Acknowledge effective SOPs"
    POST_MANAGE = "post_manage", "Add and import posts"
    POST_REVIEW = "post_review", "Review posts"
    CHECKLIST_MANAGE = "checklist_manage", "Build checklists and pre-check rules"
    NC_RAISE = "nc_raise", "Raise nonconformities"
    CAPA_WORK = "capa_work", "Work corrective actions"
    CAPA_SIGN = "capa_sign", "Sign CAPA closure, concessions and no-action decisions"
    AUDIT_VIEW = "audit_view", "See audits (which ones: planners all of the team's, auditors theirs)"
    AUDIT_PLAN = "audit_plan", "Plan audit programmes and audits, sign independence overrides"
    AUDIT_RUN = "audit_run", "Run the audits assigned to them"
    AUDIT_RESPOND = "audit_respond", "Answer audit findings of the team as auditee"
    AUDIT_EXPORT = "audit_export", "Export evidence packs"
    METRICS_MANAGE = "metrics_manage", "Set quality objectives"


_EVERYONE = frozenset({Right.VIEW, Right.DOCUMENT_ACKNOWLEDGE})

ROLE_RIGHTS: dict[str, frozenset[str]] = {
    Role.ADMIN: _EVERYONE | {Right.MANAGE_TEAM},
    Role.QA_MANAGER: _EVERYONE
    | {
        Right.DOCUMENT_AUTHOR,
        Right.DOCUMENT_MANAGE,
        Right.POST_MANAGE,
        Right.POST_REVIEW,
        Right.CHECKLIST_MANAGE,
        Right.NC_RAISE,
        Right.CAPA_WORK,
        Right.CAPA_SIGN,
        Right.METRICS_MANAGE,
        Right.AUDIT_VIEW,
        Right.AUDIT_PLAN,
    },
    Role.TEAM_LEAD: _EVERYONE
    | {
        Right.DOCUMENT_AUTHOR,
        Right.DOCUMENT_APPROVE,
        Right.DOCUMENT_MANAGE,
        Right.POST_MANAGE,
        Right.POST_REVIEW,
        Right.NC_RAISE,
        Right.CAPA_WORK,
        Right.METRICS_MANAGE,
        Right.AUDIT_VIEW,
        Right.AUDIT_RESPOND,
    },
    Role.REVIEWER: _EVERYONE
    | {Right.DOCUMENT_AUTHOR, Right.POST_MANAGE, Right.POST_REVIEW, Right.NC_RAISE, Right.CAPA_WORK},
    Role.AUDITOR: _EVERYONE | {Right.AUDIT_VIEW, Right.AUDIT_RUN, Right.AUDIT_EXPORT, Right.NC_RAISE},
    Role.VIEWER: _EVERYONE,
}


def rights_of(roles: set[str]) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_RIGHTS.get(role, frozenset())
    return frozenset(granted)
