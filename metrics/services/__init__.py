"""Every write of the metrics app, by noun; import from here."""

from .objectives import objective_create, objective_update, objectives_evaluate
from .rollups import rollup_metrics, rollup_recent_days

__all__ = [
    "objective_create",
    "objective_update",
    "objectives_evaluate",
    "rollup_metrics",
    "rollup_recent_days",
]
