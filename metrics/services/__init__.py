"""Every write of the metrics app, by noun; import from here."""

from .effectiveness import effectiveness_checks_evaluate
from .objectives import objective_create, objective_update, objectives_evaluate
from .rollups import rollup_metrics, rollup_recent_days
from .trends import defect_trends_raise

__all__ = [
    "defect_trends_raise",
    "effectiveness_checks_evaluate",
    "objective_create",
    "objective_update",
    "objectives_evaluate",
    "rollup_metrics",
    "rollup_recent_days",
]
