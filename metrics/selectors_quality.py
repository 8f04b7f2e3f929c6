"""Reads of the quality-record rollups: breakdowns, CAPA ageing, findings by clause and
classification, acknowledgement compliance per SOP. From the rollup tables only, scoped by
``Filters.team_ids`` like every metrics read; a bounded number of queries whatever the range."""

from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import date, timedelta
from itertools import accumulate

from django.db.models import Sum

from capa.vocabulary import Category, Severity

from .definitions import BREAKDOWNS, Metric
from .models import AckDaily, ActionItemState, CapaState, FindingDaily
from .selectors import Filters, _period, _rows

AGE_BUCKETS = (("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("over 90", 91, None))


class BreakdownNotAvailable(ValueError):
    pass


def breakdown(metric: Metric, f: Filters, by: str, *, user=None) -> dict:
    """The metric per value of ``by`` (largest numerator first), each with its points per period.
    Two queries (numerator and denominator), plus one for the labels of documents or accounts."""
    column = BREAKDOWNS.get(by)
    models = [metric.numerator[0], *([metric.denominator[0]] if metric.denominator else [])]
    if column is None or any(column not in {fl.name for fl in m._meta.fields} for m in models):
        raise BreakdownNotAvailable(f"{metric.label} can't be broken down by {by}.")

    def sums(model, columns) -> dict[tuple, int]:
        total = {f"sum_{c}": Sum(c) for c in columns}
        rows = _rows(model, f).annotate(period=_period(f.interval)).values(column, "period").annotate(**total)
        return {(r[column], r["period"]): sum(int(r[k] or 0) for k in total) for r in rows}

    num = sums(*metric.numerator)
    den = sums(*metric.denominator) if metric.denominator else {}
    groups: dict = defaultdict(lambda: {"numerator": 0, "denominator": 0, "points": []})
    for key, period in sorted(set(num) | set(den), key=lambda k: (str(k[0]), k[1])):
        n, d = num.get((key, period), 0), den.get((key, period))
        g = groups[key]
        g["numerator"] += n
        g["denominator"] += d or 0
        g["points"].append({"period": period.isoformat(), **_value(metric, n, d)})
    labels = labels_for(by, [k for k in groups], user=user)
    found = []
    for key, g in groups.items():
        total = _value(metric, g["numerator"], g["denominator"] if metric.denominator else None)
        found.append({"key": str(key), "label": labels.get(key, str(key) or "(none)"), **total, "points": g["points"]})
    found.sort(key=lambda g: (-g["numerator"], g["label"]))
    return {"metric": metric.key, "by": by, "groups": found}


def _value(metric: Metric, num: int, den: int | None) -> dict:
    if metric.denominator is None:
        return {"value": num, "numerator": num, "denominator": None}
    value = round(num / den * metric.scale, 4) if den else None
    return {"value": value, "numerator": num, "denominator": den}


def labels_for(by: str, keys: list, *, user=None) -> dict:
    """Readable names of breakdown keys; documents and accounts are read scoped to the user."""
    if by == "source":
        from .labels import nc_source_labels

        return nc_source_labels()
    if by == "classification":
        from .labels import finding_classification_labels

        return finding_classification_labels()
    if by == "category":
        return dict(Category.choices)
    if by == "severity":
        return dict(Severity.choices)
    if by == "document" and user is not None and keys:
        from docs_control.selectors import document_list_for

        rows = document_list_for(user).filter(pk__in=keys).values_list("pk", "number", "title")
        return {pk: f"{number} {title}" for pk, number, title in rows}
    if by == "account" and user is not None and keys:
        from post_reviews.selectors import account_list_for

        rows = account_list_for(user).filter(pk__in=keys).values_list("pk", "platform", "handle")
        return {pk: f"{platform} @{handle}" for pk, platform, handle in rows}
    return {}


def period_ends(f: Filters) -> list[tuple[date, date]]:
    """(period start, the day its state is read at: the period's last day, or ``day_to``)."""
    found, start = [], f.day_from
    if f.interval == "week":
        start -= timedelta(days=start.weekday())
    elif f.interval == "month":
        start = start.replace(day=1)
    while start <= f.day_to:
        if f.interval == "day":
            nxt = start + timedelta(days=1)
        elif f.interval == "week":
            nxt = start + timedelta(days=7)
        else:
            nxt = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        found.append((start, min(nxt - timedelta(days=1), f.day_to)))
        start = nxt
    return found


def _spread(diff: list[int], at_days: list[date], first: date, last: date | None, n: int) -> None:
    """Add ``n`` to every period whose day read falls in [first, last] (difference array)."""
    lo = bisect_left(at_days, first)
    hi = len(at_days) if last is None else bisect_right(at_days, last)
    if lo < hi:
        diff[lo] += n
        diff[hi] -= n


def _running(diff: list[int]) -> list[int]:
    return list(accumulate(diff[:-1]))


def capa_ageing(f: Filters) -> dict:
    """Open CAPAs by age bucket and overdue action items at the end of each period (two queries).
    A CAPA's age is the days from the day it opened to the day read. Each state row adds its
    count to the periods it covers (bisect into the sorted days read): O(rows · log periods)."""
    ends = period_ends(f)
    buckets = [b[0] for b in AGE_BUCKETS]
    if not ends or not f.team_ids:
        return {"buckets": buckets, "points": []}
    at_days = [d for _, d in ends]
    first, last = at_days[0], at_days[-1]
    one = timedelta(days=1)
    opened = [[0] * (len(at_days) + 1) for _ in AGE_BUCKETS]
    states = (
        CapaState.objects.filter(team_id__in=f.team_ids, day__lte=last, end_day__gt=first)
        .values_list("day", "end_day")
        .annotate(n=Sum("capas"))
        .order_by()
    )
    for day, end_day, n in states:
        for diff, (_, lo, hi) in zip(opened, AGE_BUCKETS, strict=True):
            upper = end_day - one if hi is None else min(end_day - one, day + timedelta(days=hi))
            _spread(diff, at_days, day + timedelta(days=lo), upper, n)
    overdue = [0] * (len(at_days) + 1)
    items = (
        ActionItemState.objects.filter(
            team_id__in=f.team_ids, created_day__lte=last, due_day__lt=last, resolved_day__gt=first
        )
        .values_list("created_day", "due_day", "resolved_day")
        .annotate(n=Sum("items"))
        .order_by()
    )
    for created_day, due_day, resolved_day, n in items:
        _spread(overdue, at_days, max(created_day, due_day + one), resolved_day - one, n)
    counts = list(zip(*(_running(d) for d in opened), strict=True))
    points = [
        _point(period, at_day, list(c), o)
        for (period, at_day), c, o in zip(ends, counts, _running(overdue), strict=True)
    ]
    return {"buckets": buckets, "points": points}


def _point(period: date, at_day: date, counts: list[int], overdue: int) -> dict:
    return {
        "period": period.isoformat(),
        "as_of": at_day.isoformat(),
        "open": dict(zip([b[0] for b in AGE_BUCKETS], counts, strict=True)),
        "open_total": sum(counts),
        "overdue_items": overdue,
    }


def findings_matrix(f: Filters) -> dict:
    """Findings per ISO 9001 clause, split by classification, most findings first (one query)."""
    from .labels import finding_classification_labels

    labels = finding_classification_labels()
    by_clause: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(labels, 0))
    for r in _rows(FindingDaily, f).values("clause", "classification").annotate(n=Sum("findings")):
        by_clause[r["clause"]][r["classification"]] = by_clause[r["clause"]].get(r["classification"], 0) + r["n"]
    rows = [
        {"clause": clause or "(none)", "counts": counts, "total": sum(counts.values())}
        for clause, counts in by_clause.items()
    ]
    rows.sort(key=lambda r: (-r["total"], r["clause"]))
    return {"classifications": [{"key": k, "label": v} for k, v in labels.items()], "rows": rows}


def ack_compliance(f: Filters, *, user) -> dict:
    """Acknowledgements per SOP over the range: due, on time, late, outstanding, on-time %
    (one query, and one for the document names)."""
    sums = {c: Sum(c) for c in ("due", "on_time", "late", "outstanding")}
    rows = list(_rows(AckDaily, f).values("document_id").annotate(**{f"n_{c}": s for c, s in sums.items()}))
    names = labels_for("document", [r["document_id"] for r in rows], user=user)
    found = []
    for r in rows:
        counts = {c: int(r[f"n_{c}"] or 0) for c in sums}
        rate = round(counts["on_time"] / counts["due"] * 100, 1) if counts["due"] else None
        label = names.get(r["document_id"], f"Document {r['document_id']}")
        found.append({"document_id": r["document_id"], "label": label, **counts, "on_time_percent": rate})
    found.sort(key=lambda r: (r["on_time_percent"] if r["on_time_percent"] is not None else 101, r["label"]))
    return {"rows": found}
