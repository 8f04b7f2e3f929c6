"""Quality objectives (ISO 9001 6.2): set, change, and the missed-objective notices."""

from datetime import date

from django.db import transaction

from accounts.permissions import can_view_team, has_right
from accounts.roles import Right
from core.exceptions import NotFound, PermissionDenied, ValidationError
from core.services import audited_save
from metrics.models import Objective
from metrics.permissions import can_manage_objectives


def _objective_fields(*, team_id: int, data: dict, by) -> dict:
    from accounts.models import User
    from metrics.definitions import METRICS
    from metrics.models import Comparator, Period

    errors = {}
    if data.get("metric") not in METRICS:
        errors["metric"] = f"One of {', '.join(METRICS)}."
    if data.get("comparator") not in Comparator.values:
        errors["comparator"] = f"One of {', '.join(Comparator.values)}."
    if data.get("period", Period.MONTH) not in Period.values:
        errors["period"] = f"One of {', '.join(Period.values)}."
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = "Give the objective a name."
    owner = data.get("owner")
    if isinstance(owner, int):
        owner = User.objects.filter(pk=owner, is_active=True).first()
    if owner is None or not has_right(owner, team_id, Right.VIEW):
        errors["owner"] = "Choose a member of the team."
    if errors:
        raise ValidationError(errors)
    return {**data, "name": name[:200], "owner": owner}


@transaction.atomic
def objective_create(*, team_id: int, data: dict, by) -> Objective:
    """Set a quality objective for a team (needs the right to set objectives in that team)."""
    if not can_view_team(by, team_id):
        raise NotFound("No such team.")
    if not can_manage_objectives(by, team_id):
        raise PermissionDenied("Your role can't set quality objectives.")
    fields = _objective_fields(team_id=team_id, data=data, by=by)
    if Objective.objects.filter(team_id=team_id, name=fields["name"]).exists():
        raise ValidationError({"name": "Your team already has an objective with this name."})
    objective = Objective(team_id=team_id, created_by=by, **fields)
    audited_save(objective, by=by, reason="objective set")
    return objective


@transaction.atomic
def objective_update(*, objective_id: int, data: dict, by) -> Objective:
    from metrics.selectors import objective_get_for

    objective = objective_get_for(by, objective_id=objective_id)
    objective = type(objective).objects.select_for_update().get(pk=objective.pk)
    if not can_manage_objectives(by, objective.team_id):
        raise PermissionDenied("Your role can't change quality objectives.")
    current = {f: getattr(objective, f) for f in ("name", "metric", "comparator", "target", "period", "owner")}
    fields = _objective_fields(team_id=objective.team_id, data={**current, **data}, by=by)
    changed = [name for name, value in fields.items() if getattr(objective, name) != value]
    if not changed:
        return objective
    for name in changed:
        setattr(objective, name, fields[name])
    audited_save(objective, by=by, reason="objective changed: " + ", ".join(changed))
    return objective


def objectives_evaluate(*, today: date) -> int:
    """Tell each owner once per period that their objective was missed (the last full period).
    Idempotent: the notification's (recipient, kind, subject, period) is unique."""
    from core.services import notification_enqueue
    from metrics.objectives import NOT_MET, objective_statuses

    sent = 0
    objectives = list(Objective.objects.filter(active=True).select_related("owner"))
    statuses = objective_statuses(objectives, today=today, count=2)
    for objective in objectives:
        previous = statuses[objective.pk][1]
        if previous.status != NOT_MET:
            continue
        _, created = notification_enqueue(
            recipient=objective.owner,
            kind="objective_missed",
            subject=objective,
            due_bucket=previous.label,
            title=f"Objective missed in {previous.label}: {objective.name}",
            url=objective.get_absolute_url(),
        )
        sent += created
    return sent
