"""Periodic review of a document in force (ISO 9001 7.5.2: documents are kept suitable)."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.exceptions import PermissionDenied, TransitionNotAllowed
from core.models import Meaning
from core.services import audited_save, signature_create
from docs_control import permissions as perms
from docs_control.models import PeriodicReview
from docs_control.workflow import Status

from ._common import add_months, locked_document


@transaction.atomic
def document_review_no_change(*, document_id: int, by: User, password: str, comment: str = "") -> PeriodicReview:
    """Periodic review that finds the effective version still right: signed, next due reset."""
    document = locked_document(document_id, by)
    if not perms.can_review_periodically(by, document):
        raise PermissionDenied("Only the owner or a team lead can record a periodic review.")
    version = document.versions.filter(status=Status.EFFECTIVE).first()
    if version is None:
        raise TransitionNotAllowed("none", "reviewed", "There is no effective version to review.")
    signature = signature_create(
        record=version,
        by=by,
        password=password,
        meaning=Meaning.REVIEWED,
        comment=comment or "Reviewed, no change",
    )
    next_due = add_months(timezone.localdate(), document.review_interval_months)
    review = PeriodicReview.objects.create(
        document=document,
        version=version,
        reviewed_by=by,
        reviewed_at=signature.signed_at,
        comment=comment.strip(),
        next_review_due=next_due,
        signature=signature,
    )
    document.next_review_due = next_due
    audited_save(document, reason="periodic review: no change", by=by)
    return review
