"""Management review (ISO 9001 9.3): the reads, and the inputs computed from live data.

``review_inputs`` gathers 9.3.2 a) and c) for the review's team and period from the rollups, the
objectives, capa's selectors and the previous reviews. It returns plain JSON values, so the
very same dict is shown on the page of a draft and frozen into ``snapshot`` on closing: a closed
review (its page and its PDF) is read from the snapshot only and never changes.
"""

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.permissions import team_ids_of
from core.exceptions import NotFound

from .definitions import METRICS
from .models import ManagementReview, ManagementReviewAction, Objective, ReviewStatus, TrendAlert
from .objectives import MET, objective_statuses
from .selectors import Filters, metric_total, p_chart, pareto

PROCESS_METRICS = ("reviews", "review_pass_rate", "review_fail_rate", "defects", "defect_rate", "review_minutes")


def review_list_for(user) -> QuerySet[ManagementReview]:
    return ManagementReview.objects.filter(team_id__in=team_ids_of(user)).select_related("team", "chair")


def review_get_for(user, *, review_id: int) -> ManagementReview:
    review = review_list_for(user).filter(pk=review_id).prefetch_related("participants", "actions__owner").first()
    if review is None:
        raise NotFound("No such management review.")
    return review


def review_action_get_for(user, *, action_id: int) -> ManagementReviewAction:
    action = (
        ManagementReviewAction.objects.filter(pk=action_id, review__team_id__in=team_ids_of(user))
        .select_related("review", "owner")
        .first()
    )
    if action is None:
        raise NotFound("No such action.")
    return action


def _bounds(review: ManagementReview) -> tuple[datetime, datetime]:
    tz = ZoneInfo(settings.QMS_METRICS_TIME_ZONE)
    start = datetime.combine(review.period_start, time.min, tzinfo=tz)
    end = datetime.combine(review.period_end + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def _previous_actions(review: ManagementReview, start: datetime) -> list[dict]:
    """9.3.2 a): the actions of earlier reviews that are still open, or were done since."""
    rows = (
        ManagementReviewAction.objects.filter(
            Q(done_at=None) | Q(done_at__gte=start),
            review__team_id=review.team_id,
            review__period_start__lt=review.period_start,
        )
        .exclude(review_id=review.pk)
        .select_related("review", "owner")
        .order_by("due_date", "id")
    )
    return [
        {
            "id": a.pk,
            "review": a.review.title,
            "description": a.description,
            "owner": a.owner.printed_name,
            "due_date": a.due_date,
            "done_at": a.done_at,
            "status": "done" if a.done_at else ("overdue" if a.due_date <= review.period_end else "open"),
        }
        for a in rows
    ]


def _objectives(review: ManagementReview) -> list[dict]:
    objectives = list(Objective.objects.filter(team_id=review.team_id, active=True).order_by("name"))
    statuses = objective_statuses(objectives, today=review.period_end, count=12)
    found = []
    for objective in objectives:
        periods = [
            {"label": p.label, "value": p.value, "status": p.status, "status_label": p.status_label}
            for p in reversed(statuses[objective.pk])
            if p.end >= review.period_start and p.start <= review.period_end
        ]
        unit = METRICS[objective.metric].unit if objective.metric in METRICS else ""
        found.append(
            {
                "name": objective.name,
                "target": f"{objective.get_comparator_display()} {objective.target.normalize()}{unit}",
                "periods": periods,
                "met": bool(periods) and all(p["status"] == MET for p in periods),
            }
        )
    return found


def _audits(review: ManagementReview) -> dict:
    """Internal audits of the team closed in the period, and their findings (9.3.2 c 6)."""
    if not apps.is_installed("audits"):
        return {"available": False, "note": "No internal audits are recorded in this system."}
    from audits.selectors import audit_period_summary

    summary = audit_period_summary(team_id=review.team_id, start=review.period_start, end=review.period_end)
    found = ", ".join(f"{f['count']} {f['classification'].lower()}" for f in summary["findings"] if f["count"])
    note = (
        f"{summary['audits_closed']} internal audit(s) closed in the period ({', '.join(summary['references'])}); "
        f"findings: {found or 'none'}."
        if summary["audits_closed"]
        else "No internal audit was closed in the period."
    )
    return {"available": True, "note": note, **summary}


def review_inputs(review: ManagementReview) -> dict:
    """The computed inputs of a review, as plain JSON values."""
    from capa.selectors import period_summary

    start, end = _bounds(review)
    f = Filters(
        team_ids=frozenset({review.team_id}), day_from=review.period_start, day_to=review.period_end, interval="week"
    )
    process = {}
    for key in PROCESS_METRICS:
        metric = METRICS[key]
        process[key] = {"label": metric.label, "unit": metric.unit, **metric_total(metric, f)}
    chart = p_chart(f)
    objectives = _objectives(review)
    trends = TrendAlert.objects.filter(
        team_id=review.team_id, week_end__gte=review.period_start, week_start__lte=review.period_end
    )
    data = {
        "computed_at": timezone.now(),
        "period": {"start": review.period_start, "end": review.period_end},
        "previous_actions": _previous_actions(review, start),
        "objectives": objectives,
        "objectives_met": sum(o["met"] for o in objectives),
        "process": process,
        "pareto": pareto(f)["bars"][:5],
        "capa": period_summary(team_id=review.team_id, start=start, end=end),
        "monitoring": {
            "pass_rate_center": chart["center"],
            "weeks": len(chart["points"]),
            "out_of_control_weeks": [p["period"] for p in chart["points"] if p["out_of_control"]],
            "defect_trends": [
                {"category": t.category, "account_id": t.account_id, "from": t.week_start, "to": t.week_end}
                for t in trends
            ],
        },
        "audits": _audits(review),
        # 9.3.3 outputs as they stand: frozen with the rest, so the closed pack never changes.
        "actions": [
            {"description": a.description, "owner": a.owner.printed_name, "due_date": a.due_date}
            for a in review.actions.select_related("owner").order_by("due_date", "id")
        ],
    }
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def review_figures(review: ManagementReview) -> dict:
    """What a page or the PDF shows: the frozen snapshot once closed, else live inputs."""
    if review.status == ReviewStatus.CLOSED and review.snapshot is not None:
        return review.snapshot
    return review_inputs(review)
