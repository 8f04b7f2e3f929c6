"""Defect trends raise nonconformities (ISO 9001 10.3), checked daily from the rollups.

The rule (``TrendRule`` per team, defaults without one): a defect category's rate on an account,
defects per review in each of the last ``weeks`` complete weeks (Monday to Sunday), is above
``factor`` times its rate over the ``baseline_days`` before them, with at least ``min_reviews``
reviews in each week (and in the baseline). Each trend raises one nonconformity through capa's
``nonconformity_raise`` with the figures in its description: a ``TrendAlert`` row, unique per
(team, account, category, first week), is the NC's source record, so a re-run, a duplicate tick
or a race raises nothing more; a trend that goes on into the next week raises nothing new either.
"""

import logging
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum

from accounts.models import Team, User
from accounts.permissions import has_right
from accounts.roles import Right, Role
from accounts.selectors import team_members
from capa.services import nonconformity_raise
from capa.vocabulary import Severity
from metrics.models import DefectDaily, ReviewDaily, TrendAlert, TrendRule

log = logging.getLogger(__name__)
DEFAULT_RULE = TrendRule(factor=Decimal(2), weeks=2, min_reviews=20, baseline_days=90)


def _windows(rule: TrendRule, today: date) -> tuple[tuple[date, date], list[tuple[date, date]]]:
    """(baseline, weeks): the last ``rule.weeks`` complete weeks before ``today`` and the
    baseline days before the first of them."""
    this_monday = today - timedelta(days=today.weekday())
    weeks = [
        (this_monday - timedelta(weeks=n), this_monday - timedelta(weeks=n) + timedelta(days=6))
        for n in range(rule.weeks, 0, -1)
    ]
    first = weeks[0][0]
    return (first - timedelta(days=rule.baseline_days), first - timedelta(days=1)), weeks


def _sums(model, column: str, keys: tuple[str, ...], team: Team, windows: list[tuple[date, date]]) -> dict:
    """{key: [sum in window 0, window 1, ...]} in one query."""
    sums = {f"w{i}": Sum(column, filter=Q(day__gte=lo, day__lte=hi)) for i, (lo, hi) in enumerate(windows)}
    rows = model.objects.filter(team_id=team.pk, day__gte=windows[0][0], day__lte=windows[-1][1])
    return {
        tuple(r[k] for k in keys): [int(r[f"w{i}"] or 0) for i in range(len(windows))]
        for r in rows.values(*keys).annotate(**sums)
    }


def defect_trends(team: Team, *, today: date, rule: TrendRule | None = None) -> list[dict]:
    """The trends of a team's accounts as of ``today`` (figures only; nothing is written)."""
    rule = rule or getattr(team, "trend_rule", None) or DEFAULT_RULE
    baseline, weeks = _windows(rule, today)
    windows = [baseline, *weeks]
    reviews = _sums(ReviewDaily, "reviews", ("account_id",), team, windows)
    defects = _sums(DefectDaily, "defects", ("account_id", "category"), team, windows)
    found = []
    for (account_id, category), counts in sorted(defects.items()):
        n = reviews.get((account_id,), [0] * len(windows))
        if any(x < rule.min_reviews for x in n):
            continue
        rates = [d / r for d, r in zip(counts, n, strict=True)]
        base = rates[0]
        if all(rate > float(rule.factor) * base and d > 0 for rate, d in zip(rates[1:], counts[1:], strict=True)):
            found.append(
                {
                    "account_id": account_id,
                    "category": category,
                    "baseline": {
                        "from": baseline[0].isoformat(),
                        "to": baseline[1].isoformat(),
                        "defects": counts[0],
                        "reviews": n[0],
                    },
                    "weeks": [
                        {"from": lo.isoformat(), "to": hi.isoformat(), "defects": d, "reviews": r}
                        for (lo, hi), d, r in zip(weeks, counts[1:], n[1:], strict=True)
                    ],
                    "factor": str(rule.factor),
                    "week_start": weeks[0][0],
                    "week_end": weeks[-1][1],
                }
            )
    return found


def _raiser(team: Team) -> User | None:
    """Who the trend NC is raised as: the team's QA manager, else anyone who may raise NCs."""
    for roles in ((Role.QA_MANAGER,), None):
        for user in team_members(team_id=team.pk, roles=roles):
            if has_right(user, team.pk, Right.NC_RAISE):
                return user
    return None


def _description(trend: dict, account: str, category: str) -> str:
    def pct(d: int, r: int) -> str:
        return f"{d / r * 100:.1f} per 100 reviews ({d} defects in {r} reviews)"

    b = trend["baseline"]
    lines = [
        f"{category} defects on {account} rose above {trend['factor']}x their baseline "
        f"for {len(trend['weeks'])} weeks in a row.",
        f"Baseline {b['from']} to {b['to']}: {pct(b['defects'], b['reviews'])}.",
    ]
    lines += [f"Week {w['from']} to {w['to']}: {pct(w['defects'], w['reviews'])}." for w in trend["weeks"]]
    return "\n".join(lines)


def _raise_one(team: Team, trend: dict, by: User) -> bool:
    from post_reviews.models import SocialAccount
    from post_reviews.selectors import defect_category_choices

    with transaction.atomic():
        ongoing = TrendAlert.objects.filter(
            team=team, account_id=trend["account_id"], category=trend["category"], week_end__gte=trend["week_start"]
        ).exclude(week_start=trend["week_start"])
        if ongoing.exists():  # the same trend, one week on
            return False
        alert, _ = TrendAlert.objects.get_or_create(
            team=team,
            account_id=trend["account_id"],
            category=trend["category"],
            week_start=trend["week_start"],
            defaults={"week_end": trend["week_end"], "figures": {k: trend[k] for k in ("baseline", "weeks", "factor")}},
        )
        alert = TrendAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.nonconformity_id:
            return False
        account = SocialAccount.objects.filter(pk=trend["account_id"]).first()
        label = dict(defect_category_choices()).get(trend["category"], trend["category"])
        nc = nonconformity_raise(
            source=alert,
            team=team,
            severity=Severity.MAJOR,
            category=trend["category"],
            title=f"Defect trend: {label} on {account or trend['account_id']}",
            description=_description(trend, str(account or trend["account_id"]), label),
            by=by,
        )
        alert.nonconformity = nc
        alert.save(update_fields=["nonconformity"])
    return True


def defect_trends_raise(*, today: date) -> int:
    """Raise one NC per new trend in every team. Returns how many were raised. Idempotent."""
    raised = 0
    for team in Team.objects.select_related("trend_rule"):
        rule = getattr(team, "trend_rule", None) or DEFAULT_RULE
        if not rule.active:
            continue
        trends = defect_trends(team, today=today, rule=rule)
        by = _raiser(team) if trends else None
        if trends and by is None:
            log.warning("defect trend in team %s but nobody there may raise a nonconformity", team.pk)
            continue
        raised += sum(_raise_one(team, trend, by) for trend in trends)
    return raised
