"""Every write of the metrics app: the rollup runs.

A run takes a transaction-level advisory lock, so two runs (a duplicate beat tick, two workers)
never interleave: the second returns at once and leaves the queue for the next tick. A worker
killed mid-run rolls its transaction back, queue rows included, so the next run redoes the work.
"""

import secrets
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.permissions import can_view_team, has_right
from accounts.roles import Right
from core.exceptions import NotFound, PermissionDenied, ValidationError
from core.services import audited_save

from . import rollups
from .models import Objective, RollupRun
from .permissions import can_manage_objectives

# Any constant; it names this job among the advisory locks of the database.
_LOCK_KEY = 0x51_4D_53_4D  # "QMSM"


def _tz() -> str:
    return settings.QMS_METRICS_TIME_ZONE


@transaction.atomic
def rollup_metrics(*, full: bool = False, day_from: date | None = None, day_to: date | None = None) -> RollupRun:
    """Refresh the rollups: the days queued since the last run, or (``full``) every day in
    ``day_from``..``day_to`` (all days when both are None). Idempotent: a re-run changes nothing."""
    run = RollupRun.objects.create(kind="full" if full else "incremental")
    if connection.vendor != "postgresql":
        from .fallback import rollup_rebuild_orm

        run.keys = rollup_rebuild_orm(tz=_tz())
        run.finished_at = timezone.now()
        run.save(update_fields=["keys", "finished_at"])
        return run
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK_KEY])
        if not cursor.fetchone()[0]:
            run.skipped = True
            run.finished_at = timezone.now()
            run.save(update_fields=["skipped", "finished_at"])
            return run
        cursor.execute("DROP TABLE IF EXISTS metrics_keys; DROP TABLE IF EXISTS metrics_bounds")
        params = {
            "tz": _tz(),
            "token": secrets.randbits(62),
            "day_from": day_from or date(1970, 1, 1),
            "day_to": day_to or date(9999, 12, 31),
        }
        if full:
            cursor.execute(rollups.DROP_DIRTY_IN_RANGE, params)
            cursor.execute(rollups.KEYS_FROM_RANGE, params)
        else:
            cursor.execute(rollups.KEYS_FROM_DIRTY, params)
        cursor.execute("SELECT count(*) FROM metrics_keys")
        run.keys = cursor.fetchone()[0]
        if run.keys:
            cursor.execute(rollups.KEY_BOUNDS, params)
            cursor.execute(rollups.UPSERT_REVIEWS, params)
            cursor.execute(rollups.UPSERT_DEFECTS, params)
            for table in rollups.ROLLUP_TABLES:
                cursor.execute(rollups.DELETE_STALE.format(table=table), params)
        cursor.execute("DROP TABLE IF EXISTS metrics_keys; DROP TABLE IF EXISTS metrics_bounds")
    run.finished_at = timezone.now()
    run.save(update_fields=["keys", "finished_at"])
    return run


def rollup_recent_days(*, days: int) -> RollupRun:
    """The nightly safety net: rebuild the last ``days`` business days in full."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    today = timezone.now().astimezone(ZoneInfo(_tz())).date()
    return rollup_metrics(full=True, day_from=today - timedelta(days=days - 1), day_to=today)


# --- quality objectives ---------------------------------------------------------------------------


def _objective_fields(*, team_id: int, data: dict, by) -> dict:
    from accounts.models import User

    from .definitions import METRICS
    from .models import Comparator, Period

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
    from .selectors import objective_get_for

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

    from .objectives import NOT_MET, objective_statuses

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
