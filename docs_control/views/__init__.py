"""Document control pages. Thin: a form in, one service call, the page out."""

from .documents import (
    approvals_inbox,
    document_create,
    document_detail,
    document_review,
    register,
    training_matrix,
    version_new,
)
from .versions import (
    version_acknowledge,
    version_approve,
    version_detail,
    version_diff,
    version_edit,
    version_make_effective,
    version_obsolete,
    version_pdf,
    version_preview,
    version_reject,
    version_submit,
)

__all__ = [
    "approvals_inbox",
    "document_create",
    "document_detail",
    "document_review",
    "register",
    "training_matrix",
    "version_acknowledge",
    "version_approve",
    "version_detail",
    "version_diff",
    "version_edit",
    "version_make_effective",
    "version_new",
    "version_obsolete",
    "version_pdf",
    "version_preview",
    "version_reject",
    "version_submit",
]
