"""Three months of nonconformities and CAPAs for the demo team, so the quality dashboard's CAPA
ageing, NC trend by source and CAPA figures have a shape: CAPAs closed on time and late, one
cancelled, some still open at every age (one over 90 days) with overdue action items.

History can't be made through the services (they stamp "now"), so these records are stored with
their past timestamps here, each with its history row; their titles say they are demo history.
Re-runnable: it adds nothing twice.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from .models import ActionItem, CorrectiveAction, Nonconformity
from .services._common import _next_reference

MARK = "(demo history)"
# (days ago detected, source kind, category, severity, what happened):
#   ("closed", days to close, item done days after its due day: <= 0 on time)
#   ("cancelled", days to cancel) | ("open", item due days ago: > 0 overdue) | ("no_action", days) | None: open
PLAN = [
    (95, "complaint", "legal_claims", "major", ("open", 60)),
    (84, "post_review_defect", "disclosure", "major", ("closed", 14, -2)),
    (77, "post_review_defect", "accessibility", "minor", ("no_action", 3)),
    (70, "complaint", "brand_voice", "major", ("closed", 32, 6)),
    (63, "post_review_defect", "disclosure", "critical", ("cancelled", 5)),
    (56, "other", "timing", "minor", ("closed", 19, 0)),
    (49, "post_review_defect", "link", "minor", ("no_action", 2)),
    (45, "complaint", "disclosure", "major", ("open", 12)),
    (38, "post_review_defect", "disclosure", "major", ("closed", 24, -1)),
    (31, "other", "wrong_asset", "minor", None),
    (24, "post_review_defect", "accessibility", "major", ("open", 3)),
    (17, "complaint", "spelling_grammar", "minor", ("no_action", 1)),
    (10, "post_review_defect", "disclosure", "major", ("open", -5)),
    (4, "other", "link", "minor", None),
]


def seed_capa_history(*, team_id: int, owner, item_owner) -> int:
    if Nonconformity.objects.filter(team_id=team_id, title__endswith=MARK).exists():
        return 0
    now = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    for n, (ago, source, category, severity, outcome) in enumerate(PLAN):
        at = now - timedelta(days=ago)
        kind = outcome[0] if outcome else None
        title = f"{category.replace('_', ' ').capitalize()} issue {n + 1} {MARK}"
        # Stored as they ended up (the services stamp "now"; this is the past): status included.
        fields: dict = {"status": "open"}
        if kind == "no_action":
            fields = {
                "status": "closed",
                "decision": "no_action",
                "decided_by": owner,
                "decided_at": at + timedelta(days=outcome[1]),
                "decision_justification": "A one-off, corrected at once; no systemic cause.",
            }
        elif kind in ("closed", "open"):
            fields = {
                "status": "closed" if kind == "closed" else "in_capa",
                "decision": "corrective_action",
                "decided_at": at,
                "decided_by": owner,
                "corrective_action": _capa(team_id, title, at, outcome, owner, item_owner, now),
            }
        elif kind == "cancelled":  # its NC went back to open, to be decided again
            _capa(team_id, title, at, outcome, owner, item_owner, now)
        Nonconformity(
            reference=_next_reference("NC"),
            team_id=team_id,
            source_kind=source,
            category=category,
            severity=severity,
            title=title,
            description="Recorded for the demo's three months of quality history.",
            detected_at=at,
            detected_by=owner,
            created_at=at,
            **fields,
        ).save()
    return len(PLAN)


def _capa(team_id, title, at, outcome, owner, item_owner, now) -> CorrectiveAction:
    kind, days = outcome[0], outcome[1]
    fields: dict = {"status": "implementing"}
    if kind == "closed":
        closed_at = at + timedelta(days=days)
        fields = {"status": "closed", "closed_by": owner, "closed_at": closed_at, "implemented_at": closed_at}
    elif kind == "cancelled":
        fields = {
            "status": "cancelled",
            "cancelled_at": at + timedelta(days=days),
            "cancel_reason": "Raised twice: handled in another CAPA.",
        }
    capa = CorrectiveAction(
        reference=_next_reference("CAPA"),
        team_id=team_id,
        title=title,
        owner=owner,
        opened_at=at,
        opened_by=owner,
        root_cause="Demo history",
        root_cause_category="process",
        **fields,
    )
    capa.save()
    done_at = None
    if kind == "closed":
        late = outcome[2]  # days the item was done after its due day
        due = (capa.closed_at - timedelta(days=max(late, 0) + 2)).date()
        done_at = datetime.combine(due, time(12), tzinfo=capa.closed_at.tzinfo) + timedelta(days=late)
    elif kind == "open":
        due = (now - timedelta(days=days)).date()
    else:
        due = (at + timedelta(days=20)).date()
    ActionItem(
        corrective_action=capa,
        description="Fix the checklist step that let this through",
        action_type="corrective",
        owner=item_owner,
        due_date=due,
        done_at=done_at,
        done_by=item_owner if done_at else None,
        done_note="Done." if done_at else "",
        created_at=at + timedelta(days=1),
        created_by=owner,
    ).save()
    return capa
