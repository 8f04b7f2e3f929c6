"""Demo: the rollups of the demo history and two objectives, one met and one missed."""

from decimal import Decimal

from accounts.models import User
from post_reviews.demo_history import seed_review_history

from .models import Objective
from .services import objective_create, rollup_metrics

OBJECTIVES = [
    ("Review pass rate of at least 80 %", "review_pass_rate", "gte", Decimal(80), ""),
    ("Under 1 disclosure defect per 100 reviews", "defect_rate", "lte", Decimal(1), "disclosure"),
]


def seed(stdout=None) -> None:
    alice = User.objects.filter(username="alice").first()
    dan = User.objects.filter(username="dan").first()
    if alice is None or dan is None:
        return
    team_id = alice.memberships.get(team__name="Brand").team_id
    added = seed_review_history(team_id=team_id, reviewer=alice, importer=dan)
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
    if stdout is not None and added:
        stdout.write(f"  metrics: {added} reviews of history, rollups built")
