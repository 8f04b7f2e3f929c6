"""Every write of post reviews. Callers import from here."""

from .engagement import post_engagement_update
from .imports import import_run_create, import_run_execute, import_run_retry
from .lots import sampling_lot_create, sampling_lot_evaluate
from .posts import (
    PostInput,
    account_create,
    post_precheck,
    post_precheck_many,
    post_upsert,
    posts_recheck_waiting,
    posts_upsert_batch,
    posts_upsert_many,
    precheck_config_for,
    precheck_settings_update,
)
from .reviews import ReviewInput, checklist_create, review_submit

__all__ = [
    "PostInput",
    "ReviewInput",
    "account_create",
    "checklist_create",
    "import_run_create",
    "import_run_execute",
    "import_run_retry",
    "post_engagement_update",
    "post_precheck",
    "post_precheck_many",
    "post_upsert",
    "posts_recheck_waiting",
    "posts_upsert_batch",
    "posts_upsert_many",
    "precheck_config_for",
    "precheck_settings_update",
    "review_submit",
    "sampling_lot_create",
    "sampling_lot_evaluate",
]
