"""Every read of the metrics app: series, control charts and Paretos, from the rollups only,
scoped to the teams the user belongs to."""

import math
from dataclasses import dataclass
from datetime import date

from django.db.models import F, IntegerField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek

from accounts.permissions import team_ids_of

from .definitions import Metric
from .models import DefectDaily, PostDaily, ReviewDaily

INTERVALS = ("day", "week", "month")


@dataclass(frozen=True)
class Filters:
    team_ids: frozenset[int]
    day_from: date
    day_to: date
    interval: str = "week"
    platform: str = ""
    account_id: int | None = None
    category: str = ""
    source: str = ""
    classification: str = ""
    clause: str | None = None  # "" asks for findings without a clause


def scoped_teams(user, team_id: int | None) -> frozenset[int]:
    """The user's teams, or the one asked for if it is theirs (else nothing: no rows, no oracle)."""
    teams = set(team_ids_of(user))
    if team_id is not None:
        teams &= {team_id}
    return frozenset(teams)


def _rows(model: type, f: Filters) -> QuerySet:
    """The rollup rows of ``f``; each filter narrows the tables that have its column."""
    qs = model.objects.filter(team_id__in=f.team_ids, day__gte=f.day_from, day__lte=f.day_to)
    columns = {field.name for field in model._meta.fields}
    wanted = {
        "platform": f.platform,
        "account_id": f.account_id,
        "category": f.category,
        "source": f.source,
        "classification": f.classification,
    }
    qs = qs.filter(**{c: v for c, v in wanted.items() if v and c in columns})
    if f.clause is not None and "clause" in columns:
        qs = qs.filter(clause=f.clause)
    return qs


def _period(interval: str):
    return {"day": F("day"), "week": TruncWeek("day"), "month": TruncMonth("day")}[interval]


def _total(columns: tuple[str, ...]):
    return sum((Coalesce(Sum(c), Value(0), output_field=IntegerField()) for c in columns[1:]), Sum(columns[0]))


def _sums_by_period(model: type, sums: dict[str, tuple[str, ...]], f: Filters) -> dict[str, dict[date, int]]:
    """Several sums of one rollup table per period, in one read of its rows."""
    rows = _rows(model, f).annotate(period=_period(f.interval)).values("period")
    rows = rows.annotate(**{name: _total(columns) for name, columns in sums.items()})
    return {name: {r["period"]: int(r[name] or 0) for r in rows} for name in sums}


def _sum_by_period(model: type, columns: tuple[str, ...], f: Filters) -> dict[date, int]:
    return _sums_by_period(model, {"total": columns}, f)["total"]


def metric_series(metric: Metric, f: Filters) -> list[dict]:
    if metric.denominator and metric.denominator[0] is metric.numerator[0]:
        # A rate of one table (pass rate: passed over reviews): both sums in one read.
        both = _sums_by_period(metric.numerator[0], {"num": metric.numerator[1], "den": metric.denominator[1]}, f)
        numerators, denominators = both["num"], both["den"]
    else:
        numerators = _sum_by_period(*metric.numerator, f)
        denominators = _sum_by_period(*metric.denominator, f) if metric.denominator else {}
    points = []
    for period in sorted(set(numerators) | set(denominators)):
        num = numerators.get(period, 0)
        den = denominators.get(period) if metric.denominator else None
        value = num if not metric.denominator else (round(num / den * metric.scale, 4) if den else None)
        points.append({"period": period.isoformat(), "value": value, "numerator": num, "denominator": den})
    return points


def _sum(model: type, columns: tuple[str, ...], f: Filters) -> int:
    totals = _rows(model, f).aggregate(**{c: Sum(c) for c in columns})
    return sum(int(v or 0) for v in totals.values())


def metric_total(metric: Metric, f: Filters) -> dict:
    """The metric over the whole range of ``f`` (no periods): value, numerator, denominator."""
    num = _sum(*metric.numerator, f)
    if metric.denominator is None:
        return {"value": float(num), "numerator": num, "denominator": None}
    den = _sum(*metric.denominator, f)
    return {"value": round(num / den * metric.scale, 4) if den else None, "numerator": num, "denominator": den}


def p_chart(f: Filters) -> dict:
    """Review pass rate as a p-chart: p̄ over all subgroups, limits p̄ ± 3·√(p̄(1-p̄)/nᵢ) per
    subgroup (clipped to 0..1), and the points outside them."""
    both = _sums_by_period(ReviewDaily, {"passed": ("passed", "passed_minor"), "n": ("reviews",)}, f)
    passed, sizes = both["passed"], both["n"]
    n_total = sum(sizes.values())
    center = sum(passed.values()) / n_total if n_total else None
    points = []
    for period in sorted(sizes):
        n = sizes[period]
        if not n:
            continue
        p = passed.get(period, 0) / n
        sigma = math.sqrt(center * (1 - center) / n)
        ucl, lcl = min(1.0, center + 3 * sigma), max(0.0, center - 3 * sigma)
        points.append(
            {
                "period": period.isoformat(),
                "n": n,
                "p": round(p, 6),
                "ucl": round(ucl, 6),
                "lcl": round(lcl, 6),
                "out_of_control": p > ucl or p < lcl,
            }
        )
    return {"center": round(center, 6) if center is not None else None, "points": points}


def pareto(f: Filters) -> dict:
    """Defects by category, largest first, with the cumulative percentage."""
    rows = list(_rows(DefectDaily, f).values("category").annotate(count=Sum("defects")).order_by("-count", "category"))
    total = sum(r["count"] for r in rows)
    bars, running = [], 0
    for r in rows:
        running += r["count"]
        bars.append(
            {"category": r["category"], "count": r["count"], "cumulative_percent": round(running / total * 100, 2)}
        )
    return {"bars": bars}


def engagement_by_account(f: Filters) -> dict:
    """The engagement rate per account and period (engagements of posts with known impressions
    over their impressions, in %), for the dashboard's trend chart: the periods, one line per
    account aligned to them, and the flat rows of its table and CSV. Two queries."""
    from post_reviews.selectors import account_labels

    rows = list(
        _rows(PostDaily, f)
        .annotate(period=_period(f.interval))
        .values("account_id", "period")
        .annotate(
            posts=Sum("posts_published"),
            impressions=Sum("impressions"),
            engagements=Sum("engagements"),
            rated=Sum("engagements_rated"),
        )
        .order_by("account_id", "period")
    )
    labels = account_labels({r["account_id"] for r in rows}) if rows else {}
    periods = sorted({r["period"] for r in rows})
    table, lines = [], {}
    for r in rows:
        rate = round(r["rated"] / r["impressions"] * 100, 2) if r["impressions"] else None
        label = labels.get(r["account_id"], f"account {r['account_id']}")
        table.append(
            {
                "account": label,
                "period": r["period"].isoformat(),
                "posts_published": r["posts"],
                "impressions": r["impressions"],
                "engagements": r["engagements"],
                "engagement_rate": rate,
            }
        )
        lines.setdefault(r["account_id"], {"label": label, "rates": {}})["rates"][r["period"]] = rate
    accounts = [
        {"label": line["label"], "rates": [line["rates"].get(p) for p in periods]}
        for _, line in sorted(lines.items(), key=lambda item: item[1]["label"])
    ]
    return {"periods": [p.isoformat() for p in periods], "accounts": accounts, "rows": table}


def objective_list_for(user) -> QuerySet:
    from .models import Objective

    return Objective.objects.filter(team_id__in=team_ids_of(user)).select_related("team", "owner")


def objective_get_for(user, *, objective_id: int):
    from core.exceptions import NotFound

    objective = objective_list_for(user).filter(pk=objective_id).first()
    if objective is None:
        raise NotFound("No such objective.")
    return objective


def dashboard_panel(request) -> dict:
    """The home page's quality panel: the last 30 days' pass rate and the objectives' status."""
    from datetime import timedelta

    from django.utils.timezone import localdate

    from .definitions import METRICS
    from .objectives import MET, objective_statuses

    teams = scoped_teams(request.user, None)
    today = localdate()
    f = Filters(team_ids=teams, day_from=today - timedelta(days=29), day_to=today, interval="month")
    points = metric_series(METRICS["review_pass_rate"], f)
    num = sum(p["numerator"] for p in points)
    den = sum(p["denominator"] or 0 for p in points)
    objectives = list(objective_list_for(request.user))
    current = [s[0].status for s in objective_statuses(objectives, today=today, count=1).values()]
    return {
        "template": "metrics/_dashboard_panel.html",
        "pass_rate": round(num / den * 100, 1) if den else None,
        "reviews": den,
        "objectives": len(objectives),
        "objectives_met": current.count(MET),
    }
