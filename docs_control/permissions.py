"""Who may do what to controlled documents. Services, API, views and templates all ask here.

Each predicate asks for a right in the document's team (``accounts/roles.py``), never a role by
name, plus the record's own facts (owner, author, the approvers picked, who was asked to read).
"""

from accounts.permissions import has_right
from accounts.roles import Right

from .models import Decision, Document, DocumentVersion
from .workflow import Status


def can_create_document(user, team_id: int) -> bool:
    return has_right(user, team_id, Right.DOCUMENT_AUTHOR)


def can_edit_metadata(user, document: Document) -> bool:
    return document.owner_id == user.pk or has_right(user, document.team_id, Right.DOCUMENT_MANAGE)


def can_author(user, document: Document) -> bool:
    return has_right(user, document.team_id, Right.DOCUMENT_AUTHOR)


def can_start_revision(user, document: Document) -> bool:
    """An author of the team, while the document has no draft (one draft at a time)."""
    return can_author(user, document) and not any(v.status == Status.DRAFT for v in document.versions.all())


def can_edit_draft(user, version: DocumentVersion) -> bool:
    return version.status == Status.DRAFT and can_author(user, version.document)


def can_submit(user, version: DocumentVersion) -> bool:
    return version.status == Status.DRAFT and can_author(user, version.document)


def can_approve(user, version: DocumentVersion) -> bool:
    """A holder of the approval right in the owning team, picked for this round, who did not
    write the version. Approving and requesting changes are the same decision."""
    if version.status != Status.IN_REVIEW or version.author_id == user.pk:
        return False
    if not has_right(user, version.document.team_id, Right.DOCUMENT_APPROVE):
        return False
    return any(
        a.approver_id == user.pk and a.round == version.review_round and a.decision == Decision.PENDING
        for a in version.approvals.all()
    )


def can_make_effective(user, version: DocumentVersion) -> bool:
    if version.status != Status.APPROVED:
        return False
    document = version.document
    return document.owner_id == user.pk or has_right(user, document.team_id, Right.DOCUMENT_APPROVE)


def can_withdraw(user, version: DocumentVersion) -> bool:
    if version.status not in (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED, Status.EFFECTIVE):
        return False
    if has_right(user, version.document.team_id, Right.DOCUMENT_MANAGE):
        return True
    return version.status == Status.DRAFT and version.author_id == user.pk


def can_acknowledge(user, version: DocumentVersion) -> bool:
    """Someone asked to read this version, while it is in force and they have not signed yet."""
    if version.status != Status.EFFECTIVE:
        return False
    return any(a.user_id == user.pk and a.acknowledged_at is None for a in version.acknowledgements.all())


def can_review_periodically(user, document: Document) -> bool:
    # Confirming a document is still right is an approval decision: the approval right.
    return document.owner_id == user.pk or has_right(user, document.team_id, Right.DOCUMENT_APPROVE)
