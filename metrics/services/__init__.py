"""Every write of the metrics app, by noun; import from here."""

from .effectiveness import effectiveness_checks_evaluate
from .objectives import objective_create, objective_update, objectives_evaluate
from .reviews import (
    management_review_action_add,
    management_review_action_complete,
    management_review_close,
    management_review_create,
    management_review_update,
)
from .rollups import rollup_metrics, rollup_recent_days
from .trends import defect_trends_raise

__all__ = [
    "defect_trends_raise",
    "effectiveness_checks_evaluate",
    "management_review_action_add",
    "management_review_action_complete",
    "management_review_close",
    "management_review_create",
    "management_review_update",
    "objective_create",
    "objective_update",
    "objectives_evaluate",
    "rollup_metrics",
    "rollup_recent_days",
]
