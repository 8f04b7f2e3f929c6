"""Submitting a version for approval and the approvers' signed decisions (ISO 9001 7.5.2)."""

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Team, User
from accounts.permissions import has_right, team_ids_of
from accounts.roles import Right
from core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationError
from core.models import Meaning
from core.services import audited_save, notification_enqueue, notifications_resolve, signature_create
from docs_control import permissions as perms
from docs_control import selectors
from docs_control.models import Approval, Decision, DocumentVersion
from docs_control.workflow import Status

from ._common import check_transition, locked_version
from .versions import make_effective

APPROVAL_REQUESTED = "document_approval_requested"  # the notification kind of an approval task


@transaction.atomic
def version_submit(
    *,
    version_id: int,
    by: User,
    approver_ids: list[int],
    extra_team_ids: list[int] | None = None,
    effective_from: date | None = None,
) -> DocumentVersion:
    version = locked_version(version_id, by)
    if version.status == Status.IN_REVIEW:
        return version  # a repeated submit is a no-op
    check_transition(version.status, Status.IN_REVIEW)
    if not perms.can_submit(by, version):
        raise PermissionDenied("Your role in this team can't submit revisions.")
    document = version.document
    errors: dict[str, str] = {}
    ids = list(dict.fromkeys(int(i) for i in approver_ids or []))
    leads = {u.pk: u for u in selectors.approver_candidates(version)}
    if version.author_id in ids:
        errors["approvers"] = "The author can't approve their own version."
    elif any(i not in leads for i in ids):
        errors["approvers"] = "Approvers must be team leads of the owning team."
    elif len(ids) < document.required_approvals:
        errors["approvers"] = f"Pick at least {document.required_approvals} approver(s)."
    # Only teams the submitter is in: an author can't push an SOP onto teams they can't see.
    wanted = set(extra_team_ids or []) - {document.team_id}
    extra = list(Team.objects.filter(pk__in=wanted & team_ids_of(by)))
    if len(extra) != len(wanted):
        errors["extra_teams"] = "Choose among your own teams."
    if effective_from is not None and effective_from < timezone.localdate():
        errors["effective_from"] = "The effective date can't be in the past."
    if not version.body.strip():
        errors["body"] = "An empty version can't be submitted."
    if errors:
        raise ValidationError(errors)
    version.status = Status.IN_REVIEW
    version.review_round += 1
    version.submitted_at = timezone.now()
    version.effective_from = effective_from
    version.review_comment = ""
    audited_save(version, reason=f"submitted for review (round {version.review_round})", by=by)
    version.extra_teams.set(extra)
    # One by one, not bulk_create: each approver row gets its history row (who picked them, why).
    for approver_id in ids:
        approval = Approval(version=version, round=version.review_round, approver=leads[approver_id])
        audited_save(approval, by=by, reason=f"approver for round {version.review_round}")
    url = reverse("docs_control:version", args=[version.pk])
    for approver_id in ids:
        notification_enqueue(
            recipient=leads[approver_id],
            kind=APPROVAL_REQUESTED,
            subject=version,
            due_bucket=f"round-{version.review_round}",
            title=f"Approve {document.number} v{version.label}: {document.title}",
            body=f"{by.printed_name} asks you to approve this revision. {version.change_summary}",
            url=url,
        )
    return version


def _my_pending_approval(version: DocumentVersion, by: User) -> Approval:
    """The caller's approval of this round, if ``can_approve`` (the predicate the page uses) allows."""
    if not perms.can_approve(by, version):
        if version.author_id == by.pk:
            raise PermissionDenied("The author can't approve or reject their own version.")
        if not has_right(by, version.document.team_id, Right.DOCUMENT_APPROVE):
            raise PermissionDenied("Only a team lead of the owning team can approve.")
        raise PermissionDenied("You are not an approver of this review round.")
    return version.approvals.get(round=version.review_round, approver=by, decision=Decision.PENDING)


def _sign_decision(approval: Approval, version: DocumentVersion, *, by: User, password: str, comment: str, decision):
    meaning = Meaning.APPROVED if decision == Decision.APPROVED else Meaning.REJECTED
    signature = signature_create(record=version, by=by, password=password, meaning=meaning, comment=comment)
    approval.decision = decision
    approval.decided_at = signature.signed_at
    approval.signature = signature
    approval.comment = comment.strip()
    audited_save(approval, reason="approved" if decision == Decision.APPROVED else "changes requested", by=by)


@transaction.atomic
def version_approve(*, version_id: int, by: User, password: str, comment: str = "") -> DocumentVersion:
    """Sign an approval. When the required number is in, the version is approved and becomes
    effective now, or on its scheduled date. Concurrent last approvals queue on the row lock:
    the second one finds the transition done and is refused with the current status."""
    version = locked_version(version_id, by)
    mine = version.approvals.filter(round=version.review_round, approver=by).first()
    if mine is not None and mine.decision == Decision.APPROVED:
        return version  # a retried request
    if version.status != Status.IN_REVIEW:
        raise TransitionNotAllowed(version.status, Status.APPROVED, f"Version {version.label} is not in review.")
    approval = _my_pending_approval(version, by)
    _sign_decision(approval, version, by=by, password=password, comment=comment, decision=Decision.APPROVED)
    notifications_resolve(subject=version, kind=APPROVAL_REQUESTED, recipient=by)
    approved = version.approvals.filter(round=version.review_round, decision=Decision.APPROVED).count()
    if approved < version.document.required_approvals:
        return version
    check_transition(version.status, Status.APPROVED)
    version.status = Status.APPROVED
    version.approved_at = timezone.now()
    audited_save(version, reason=f"approved ({approved} of {version.document.required_approvals})", by=by)
    notifications_resolve(subject=version, kind=APPROVAL_REQUESTED)  # the round is decided
    if version.effective_from is None or version.effective_from <= timezone.localdate():
        make_effective(version, by=by)
    return version


@transaction.atomic
def version_reject(*, version_id: int, by: User, password: str, comment: str) -> DocumentVersion:
    """Request changes: back to draft with the reason, signed."""
    version = locked_version(version_id, by)
    if version.status != Status.IN_REVIEW:
        raise TransitionNotAllowed(version.status, Status.DRAFT, f"Version {version.label} is not in review.")
    if not (comment or "").strip():
        raise ValidationError({"comment": "Say what has to change."})
    approval = _my_pending_approval(version, by)
    _sign_decision(approval, version, by=by, password=password, comment=comment, decision=Decision.REJECTED)
    check_transition(version.status, Status.DRAFT)
    version.status = Status.DRAFT
    version.review_comment = comment.strip()
    audited_save(version, reason="changes requested", by=by)
    notifications_resolve(subject=version, kind=APPROVAL_REQUESTED)  # the round is over for everyone
    notification_enqueue(
        recipient=version.author,
        kind="document_changes_requested",
        subject=version,
        due_bucket=f"round-{version.review_round}",
        title=f"Changes requested on {version.document.number} v{version.label}",
        body=f"{by.printed_name}: {comment.strip()}",
        url=reverse("docs_control:version", args=[version.pk]),
    )
    return version
