"""Demo: the rollups of the demo history and three objectives: pass rate (met), disclosure
defects (missed) and engagement rate."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from capa.demo_history import seed_capa_history
from post_reviews.demo_history import seed_review_history

from .models import ManagementReview, Objective
from .objectives import period_bounds
from .services import (
    management_review_action_add,
    management_review_close,
    management_review_create,
    objective_create,
    rollup_metrics,
)

OBJECTIVES = [
    ("Review pass rate of at least 80 %", "review_pass_rate", "gte", Decimal(80), ""),
    ("Under 1 disclosure defect per 100 reviews", "defect_rate", "lte", Decimal(1), "disclosure"),
    ("Engagement rate of at least 3 %", "engagement_rate", "gte", Decimal(3), ""),
]


def seed(stdout=None) -> None:
    alice = User.objects.filter(username="alice").first()
    dan = User.objects.filter(username="dan").first()
    if alice is None or dan is None:
        return
    team_id = alice.memberships.get(team__name="Brand").team_id
    added = seed_review_history(team_id=team_id, reviewer=alice, importer=dan)
    # Three months of NCs and CAPAs for the CAPA ageing and NC trend charts.
    seed_capa_history(team_id=team_id, owner=alice, item_owner=dan)
    for name, metric, comparator, target, category in OBJECTIVES:
        if not Objective.objects.filter(team_id=team_id, name=name).exists():
            objective_create(
                team_id=team_id,
                data={
                    "name": name,
                    "metric": metric,
                    "comparator": comparator,
                    "target": target,
                    "period": "month",
                    "owner": alice.pk,
                    "category": category,
                },
                by=alice,
            )
    rollup_metrics(full=True)
    _seed_reviews(team_id, alice)
    if stdout is not None and added:
        stdout.write(f"  metrics: {added} reviews of history, rollups built")


def _seed_reviews(team_id: int, alice) -> None:
    """A management review of last quarter, closed and signed by alice, and a draft of this one."""
    if ManagementReview.objects.filter(team_id=team_id).exists():
        return
    others = list(User.objects.filter(username__in=("ben", "cara", "dan")).order_by("username"))
    this_start, this_end, this_label = period_bounds("quarter", timezone.localdate())
    last_start, last_end, last_label = period_bounds("quarter", this_start - timedelta(days=1))
    closed = management_review_create(
        team_id=team_id,
        data={
            "title": f"Management review {last_label}",
            "period_start": last_start,
            "period_end": last_end,
            "participants": others,
            "issues_changes": "A new client in regulated finance; platform disclosure rules tightened.",
            "external_providers": "The freelance designers delivered on time; no supplier audit this quarter.",
            "resources": "Two reviewers cover Brand's accounts; review time is within target.",
            "risks": "Disclosure risk was treated by the checklist item; the measured check is pending.",
            "improvement": "Automate the disclosure pre-check for sponsored posts.",
            "decisions": "Keep the disclosure objective; add an automated pre-check for #ad.",
            "resource_needs": "A third reviewer for the busy season.",
        },
        by=alice,
    )
    ben = next((u for u in others if u.username == "ben"), alice)
    management_review_action_add(
        review_id=closed.pk,
        description="Add a #ad pre-check rule to the Instagram checklist",
        owner=ben,
        due_date=this_start + timedelta(days=30),
        by=alice,
    )
    management_review_close(review_id=closed.pk, password=settings.QMS_DEMO_PASSWORD, by=alice)
    management_review_create(
        team_id=team_id,
        data={
            "title": f"Management review {this_label}",
            "period_start": this_start,
            "period_end": this_end,
            "participants": others,
        },
        by=alice,
    )
