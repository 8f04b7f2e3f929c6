"""Objective periods and status, computed from the rollups (ISO 9001 6.2, 9.1.3).

Periods are months, quarters or years: unions of whole months. So the statuses of any number of
objectives come from two queries — the teams' rollups summed per month — and plain sums here.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from .definitions import METRICS
from .models import Comparator, DefectDaily, Objective, Period, PostDaily, PrecheckDaily, ReviewDaily

MET, NOT_MET, AT_RISK, NO_DATA = "met", "not_met", "at_risk", "no_data"
STATUS_LABELS = {MET: "Met", NOT_MET: "Not met", AT_RISK: "At risk", NO_DATA: "No data yet"}
REVIEW_COLUMNS = ("reviews", "passed", "passed_minor", "failed", "review_seconds")
POST_COLUMNS = ("posts", "posts_published", "posts_reviewed", "impressions", "engagements", "engagements_rated")
_SUMMED = {ReviewDaily: REVIEW_COLUMNS, PostDaily: POST_COLUMNS, PrecheckDaily: ("failures",)}


@dataclass(frozen=True)
class PeriodStatus:
    label: str
    start: date
    end: date
    value: float | None
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def period_bounds(kind: str, day: date) -> tuple[date, date, str]:
    """The period of ``kind`` that holds ``day``: first day, last day and a label like 2026-Q4."""
    if kind == Period.YEAR:
        return date(day.year, 1, 1), date(day.year, 12, 31), str(day.year)
    if kind == Period.QUARTER:
        first_month = 3 * ((day.month - 1) // 3) + 1
        start = date(day.year, first_month, 1)
        after = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
        return start, after - timedelta(days=1), f"{day.year}-Q{(first_month - 1) // 3 + 1}"
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return start, end, f"{day:%Y-%m}"


def _periods(objective: Objective, today: date, count: int) -> list[tuple[date, date, str]]:
    found, day = [], today
    for _ in range(count):
        start, end, label = period_bounds(objective.period, day)
        found.append((start, end, label))
        day = start - timedelta(days=1)
    return found


class MonthlyTotals:
    """The teams' rollups summed per (team, month, platform, account[, category]): one query per
    rollup table the objectives' metrics read (two for the review metrics); the quality rollups,
    which lack some of those columns, are summed by ``_other``."""

    def __init__(self, team_ids: set[int], since: date, models: set[type] = frozenset({ReviewDaily, DefectDaily})):
        self.rows: dict[type, dict[tuple, dict]] = {}
        self.base = {"team_id__in": team_ids, "day__gte": since}
        self.others: dict[type, list[dict]] = {}  # the quality rollups, one query each when asked
        self.defects: dict[tuple, int] = defaultdict(int)
        base = {"team_id__in": team_ids, "day__gte": since}
        for model in models & _SUMMED.keys():
            columns = _SUMMED[model]
            rows = (
                model.objects.filter(**base)
                .annotate(month=TruncMonth("day"))
                .values("team_id", "month", "platform", "account_id")
                .annotate(**{c: Sum(c) for c in columns})
            )
            self.rows[model] = {(r["team_id"], r["month"], r["platform"], r["account_id"]): r for r in rows}
        if DefectDaily not in models:
            return
        for r in (
            DefectDaily.objects.filter(**base)
            .annotate(month=TruncMonth("day"))
            .values("team_id", "month", "platform", "account_id", "category")
            .annotate(n=Sum("defects"))
        ):
            self.defects[(r["team_id"], r["month"], r["platform"], r["account_id"], r["category"])] += r["n"]

    def total(self, objective: Objective, columns: tuple[str, ...], model, start: date, end: date) -> int:
        def matches(team, month, platform, account) -> bool:
            return (
                team == objective.team_id
                and start <= month <= end
                and (not objective.platform or platform == objective.platform)
                and (not objective.account_id or account == objective.account_id)
            )

        if model not in _SUMMED and model is not DefectDaily:
            return sum(
                sum(row[c] or 0 for c in columns)
                for row in self._other(model)
                # A filter narrows only the tables that have its column, as on the dashboard.
                if matches(
                    row["team_id"],
                    row["month"],
                    row.get("platform", objective.platform),
                    row.get("account_id", objective.account_id),
                )
                and (not objective.category or row.get("category", objective.category) == objective.category)
            )
        if model is DefectDaily:
            return sum(
                n
                for (team, month, platform, account, category), n in self.defects.items()
                if matches(team, month, platform, account)
                and (not objective.category or category == objective.category)
            )
        rows = self.rows.get(model, {})
        return sum(sum(row[c] or 0 for c in columns) for key, row in rows.items() if matches(*key))

    def _other(self, model) -> list[dict]:
        if model not in self.others:
            names = {f.name for f in model._meta.fields}
            dims = [d for d in ("platform", "account_id", "category") if d in names]
            sums = [
                f.name
                for f in model._meta.fields
                if f.get_internal_type() in ("PositiveIntegerField", "BigIntegerField")
            ]
            rows = (
                model.objects.filter(**self.base)
                .annotate(month=TruncMonth("day"))
                .values("team_id", "month", *dims)
                .annotate(**{f"sum_{c}": Sum(c) for c in sums if c != "run_token"})
            )
            self.others[model] = [{k.removeprefix("sum_"): v for k, v in r.items()} for r in rows]
        return self.others[model]


def _meets(objective: Objective, value: float) -> bool:
    target = float(Decimal(objective.target))
    return value >= target if objective.comparator == Comparator.AT_LEAST else value <= target


def objective_statuses(objectives: list[Objective], *, today: date, count: int = 4) -> dict[int, list[PeriodStatus]]:
    """Each objective's current period and the ``count - 1`` before it, newest first."""
    if not objectives:
        return {}
    since = min(_periods(o, today, count)[-1][0] for o in objectives)
    metrics = [METRICS[o.metric] for o in objectives if o.metric in METRICS]
    models = {m.numerator[0] for m in metrics} | {m.denominator[0] for m in metrics if m.denominator}
    totals = MonthlyTotals({o.team_id for o in objectives}, since, models)
    found = {}
    for objective in objectives:
        metric = METRICS.get(objective.metric)
        statuses = []
        for start, end, label in _periods(objective, today, count):
            value = None
            if metric is not None:
                num = totals.total(objective, metric.numerator[1], metric.numerator[0], start, end)
                if metric.denominator is None:
                    value = float(num)
                else:
                    den = totals.total(objective, metric.denominator[1], metric.denominator[0], start, end)
                    value = round(num / den * metric.scale, 4) if den else None
            if value is None:
                status = NO_DATA
            elif _meets(objective, value):
                status = MET
            else:
                status = AT_RISK if end >= today else NOT_MET
            statuses.append(PeriodStatus(label, start, end, value, status))
        found[objective.pk] = statuses
    return found
