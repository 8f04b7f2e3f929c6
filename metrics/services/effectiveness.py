"""The daily ``evaluate_effectiveness_checks`` job: measured CAPA checks judged from the rollups.

A check with a metric (``metric_key``), a scope, a comparator and a threshold is evaluated once
its due date has come: the metric over the ``days`` (default 30) business days before the due
date, for the CAPA's team and the scope's platform, account and category. The value is in the
metric's own unit (rates in %, e.g. defects per 100 reviews). A window with no data (a rate with
no reviews) is left pending for the next run. The verdict is recorded by capa's service, which
locks the check and records it once.
"""

import logging
from datetime import date, timedelta
from decimal import Decimal

from capa.models import CheckResult
from capa.selectors import due_effectiveness_checks
from capa.services import effectiveness_check_record_measurement
from core.exceptions import DomainError
from metrics.definitions import METRICS
from metrics.selectors import Filters, metric_total

log = logging.getLogger(__name__)
DEFAULT_DAYS = 30
_COMPARE = {
    "lt": lambda v, t: v < t,
    "lte": lambda v, t: v <= t,
    "gt": lambda v, t: v > t,
    "gte": lambda v, t: v >= t,
}


def check_window(check) -> tuple[date, date]:
    days = check.metric_scope.get("days", DEFAULT_DAYS)
    days = days if isinstance(days, int) and 0 < days <= 366 else DEFAULT_DAYS
    return check.due_date - timedelta(days=days), check.due_date - timedelta(days=1)


def check_measure(check) -> dict | None:
    """The metric of a measured check over its window, or None if it can't be measured."""
    metric = METRICS.get(check.metric_key)
    if metric is None:
        return None
    scope = check.metric_scope or {}
    day_from, day_to = check_window(check)
    account = scope.get("account_id", scope.get("account"))
    f = Filters(
        team_ids=frozenset({check.corrective_action.team_id}),
        day_from=day_from,
        day_to=day_to,
        platform=str(scope.get("platform") or ""),
        account_id=account if isinstance(account, int) else None,
        category=str(scope.get("category") or ""),
    )
    total = metric_total(metric, f)
    if total["value"] is None:
        return None
    return {**total, "metric": metric, "day_from": day_from, "day_to": day_to}


def _evidence(check, m: dict, verdict: str) -> str:
    scope = ", ".join(f"{k} {v}" for k, v in sorted(check.metric_scope.items()) if k != "days")
    den = f" ({m['numerator']} of {m['denominator']})" if m["denominator"] is not None else ""
    return (
        f"{m['metric'].label} {m['day_from']:%Y-%m-%d} to {m['day_to']:%Y-%m-%d}"
        f"{' [' + scope + ']' if scope else ''}: {m['value']}{m['metric'].unit}{den}; "
        f"criterion {check.get_comparator_display()} {check.threshold}{m['metric'].unit}: "
        f"{verdict.replace('_', ' ')}."
    )


def effectiveness_checks_evaluate(*, now) -> int:
    """Evaluate every due measured check. Returns how many were recorded. Idempotent."""
    recorded = 0
    for check in due_effectiveness_checks(now).exclude(metric_key=""):
        if check.comparator not in _COMPARE or check.threshold is None:
            continue
        measured = check_measure(check)
        if measured is None:
            continue
        value = Decimal(str(measured["value"]))
        met = _COMPARE[check.comparator](value, Decimal(check.threshold))
        verdict = CheckResult.EFFECTIVE if met else CheckResult.NOT_EFFECTIVE
        try:
            effectiveness_check_record_measurement(
                check_id=check.pk, value=value, verdict=verdict, evidence=_evidence(check, measured, verdict)
            )
        except DomainError as exc:  # the CAPA moved on meanwhile (cancelled): nothing to record
            log.info("effectiveness check %s not recorded: %s", check.pk, exc)
            continue
        recorded += 1
    return recorded
