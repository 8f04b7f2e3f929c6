"""Every write of document control. A status changes here and nowhere else.

Each service locks its rows (document, then version), returns early when the change is already
done (a retried request is a no-op), checks the transition table and the same ``can_<verb>``
predicate the pages use, saves through ``audited_save`` for the history, signs when the step is
a signed one, and resolves the inbox tasks the step completes.
"""

from ._common import add_months
from .acknowledgements import version_acknowledge
from .approvals import version_approve, version_reject, version_submit
from .documents import document_create, document_update
from .periodic_reviews import document_review_no_change
from .versions import (
    version_create_draft,
    version_make_effective,
    version_obsolete,
    version_update_draft,
    versions_make_due_effective,
)

__all__ = [
    "add_months",
    "document_create",
    "document_review_no_change",
    "document_update",
    "version_acknowledge",
    "version_approve",
    "version_create_draft",
    "version_make_effective",
    "version_obsolete",
    "version_reject",
    "version_submit",
    "version_update_draft",
    "versions_make_due_effective",
]
