"""Auditor independence (ISO 9001 9.2.2 c): auditors must not audit their own work.

A lead auditor or auditor who holds a working role (one granting any of ``WORKING_RIGHTS``:
admin, QA manager, team lead, reviewer) in an audited team is not independent of it. Starting the
audit is refused until a QA manager signs an override with a justification (meaning approved).
"""

from django.db import transaction

from accounts.models import Membership, User
from accounts.roles import Role, rights_of
from audits import permissions as perms
from audits.models import Audit, IndependenceOverride
from audits.selectors import audit_lock
from audits.workflow import FINAL
from core.exceptions import TransitionNotAllowed, ValidationError
from core.models import Meaning
from core.services import signature_create

from ._common import ensure_visible, save, text


def independence_conflicts(audit: Audit) -> list[dict]:
    """Each auditor with a working role in an audited team: ``{user, name, team, team_name, roles}``.
    One query for the memberships whatever the number of people."""
    people = perms.auditor_ids(audit)
    teams = perms.audited_team_ids(audit)
    found: dict[tuple[int, int], dict] = {}
    memberships = Membership.objects.filter(user_id__in=people, team_id__in=teams).select_related("user", "team")
    for m in memberships.order_by("user_id", "team_id", "role"):
        key = (m.user_id, m.team_id)
        entry = found.setdefault(
            key,
            {"user": m.user_id, "name": m.user.printed_name, "team": m.team_id, "team_name": m.team.name, "roles": []},
        )
        entry["roles"].append(m.role)
    conflicts = []
    for entry in found.values():
        if rights_of(set(entry["roles"])) & perms.WORKING_RIGHTS:
            entry["roles"] = [Role(r).label for r in entry["roles"]]
            conflicts.append(entry)
    return conflicts


def uncovered_conflicts(audit: Audit) -> list[dict]:
    """Conflicts no signed override covers (an override covers the people it was signed for)."""
    covered = {(uid, tid) for o in audit.independence_overrides.all() for uid, tid in _pairs(o)}
    return [c for c in independence_conflicts(audit) if (c["user"], c["team"]) not in covered]


def _pairs(override: IndependenceOverride) -> list[tuple[int, int]]:
    return [(c["user"], c["team"]) for c in override.conflicts]


def ensure_independent(audit: Audit) -> None:
    open_conflicts = uncovered_conflicts(audit)
    if open_conflicts:
        names = "; ".join(f"{c['name']} ({', '.join(c['roles'])} in {c['team_name']})" for c in open_conflicts)
        raise ValidationError(
            {
                "auditors": f"Not independent of the audited teams: {names}. "
                "Assign other auditors, or a QA manager signs an independence override."
            }
        )


@transaction.atomic
def independence_override_sign(*, audit_id: int, justification: str, password: str, by: User) -> IndependenceOverride:
    """A QA manager accepts the current conflicts with a signed justification (the comment)."""
    audit = audit_lock(audit_id)
    ensure_visible(perms.can_view(by, audit))
    perms.ensure(perms.can_override_independence(by, audit), "Only a QA manager of the team signs an override.")
    if audit.status in FINAL:
        raise TransitionNotAllowed(audit.status, "override", f"{audit.reference} is {audit.status}.")
    justification = text(justification, "justification", required="Justify why the auditors may audit anyway.")
    conflicts = uncovered_conflicts(audit)
    if not conflicts:
        raise ValidationError(
            {"justification": "Every auditor is independent of the audited teams: nothing to override."}
        )
    if any(c["user"] == by.pk for c in conflicts):
        raise ValidationError({"justification": "You can't override your own lack of independence."})
    override = IndependenceOverride(
        audit=audit,
        conflicts=conflicts,
        user_ids=sorted({c["user"] for c in conflicts}),
        justification=justification,
        signed_by=by,
    )
    save(override, "independence override", by)
    override.signature = signature_create(
        record=override, by=by, password=password, meaning=Meaning.APPROVED, comment=justification
    )
    save(override, "signature linked", by)
    return override
