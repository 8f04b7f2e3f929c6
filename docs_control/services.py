"""Every write of document control. A status changes here and nowhere else.

Locking order is always document row, then version row(s): two services working on the same
document queue up instead of deadlocking, and the one-effective/one-draft constraints are
checked under that lock.
"""

import calendar
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Team, User
from accounts.permissions import can_view_team, has_right, team_ids_of
from accounts.roles import Right
from accounts.selectors import team_members
from core.exceptions import Conflict, NotFound, PermissionDenied, TransitionNotAllowed, ValidationError
from core.models import Meaning
from core.services import notification_enqueue, signature_create

from . import permissions as perms
from . import selectors
from .models import Acknowledgement, Approval, Decision, Document, DocumentVersion, Kind, PeriodicReview
from .rendering import plain_text
from .workflow import Status, assert_transition


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _normalise(text: str) -> str:
    # Browsers send textarea line breaks as CRLF; store LF so diffs show real changes only.
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def _save(obj, *, reason: str, by: User | None, fields: list[str] | None = None) -> None:
    obj._change_reason = reason
    obj._history_user = by
    obj.save(update_fields=fields) if fields else obj.save()


def _ensure_visible(by: User, document: Document) -> None:
    if not selectors.document_list_for(by).filter(pk=document.pk).exists():
        raise NotFound("No such document.")


def _lock(version_id: int, by: User | None) -> DocumentVersion:
    # A version the user may not see (another team's draft) is not found, whatever its state.
    versions = DocumentVersion.objects if by is None else selectors.version_list_for(by)
    document_id = versions.filter(pk=version_id).values_list("document_id", flat=True).first()
    if document_id is None:
        raise NotFound("No such document version.")
    document = Document.objects.select_for_update().get(pk=document_id)
    version = DocumentVersion.objects.select_for_update().get(pk=version_id)
    version.document = document
    return version


def _refresh_search_text(document: Document, body: str) -> None:
    document.search_text = f"{document.number} {document.title} {plain_text(body)}"
    Document.objects.filter(pk=document.pk).update(search_text=document.search_text)  # not history-tracked


# --- documents ------------------------------------------------------------------------------


@transaction.atomic
def document_create(
    *,
    team_id: int,
    number: str,
    title: str,
    by: User,
    kind: str = Kind.SOP,
    owner_id: int | None = None,
    review_interval_months: int = 12,
    required_approvals: int = 1,
    source_url: str = "",
    body: str = "",
    change_summary: str = "First issue",
) -> Document:
    if not perms.can_create_document(by, team_id):
        if not can_view_team(by, team_id):
            raise NotFound("No such team.")
        raise PermissionDenied("Your role in this team can't create controlled documents.")
    errors: dict[str, str] = {}
    number = (number or "").strip().upper()
    title = (title or "").strip()
    if not number:
        errors["number"] = "A document needs a number, e.g. SOP-SM-004."
    elif Document.objects.filter(number=number).exists():
        errors["number"] = f"{number} is already used by another document."
    if not title:
        errors["title"] = "A document needs a title."
    if kind not in Kind.values:
        errors["kind"] = f"Unknown kind {kind!r}."
    if kind == Kind.EXTERNAL and not source_url:
        errors["source_url"] = "An external document needs the URL where it lives."
    if not 1 <= int(review_interval_months) <= 60:
        errors["review_interval_months"] = "The review interval is 1 to 60 months."
    if not 1 <= int(required_approvals) <= 5:
        errors["required_approvals"] = "Between 1 and 5 approvals."
    owner = by
    if owner_id is not None and owner_id != by.pk:
        owner = team_members(team_id=team_id).filter(pk=owner_id).first()
        if owner is None:
            errors["owner"] = "The owner must be a member of the team."
    if errors:
        raise ValidationError(errors)
    document = Document(
        team_id=team_id,
        number=number,
        title=title,
        kind=kind,
        owner=owner,
        review_interval_months=review_interval_months,
        required_approvals=required_approvals,
        source_url=source_url,
    )
    try:
        with transaction.atomic():
            _save(document, reason="created", by=by)
    except IntegrityError as exc:
        raise ValidationError({"number": f"{number} is already used by another document."}) from exc
    version = DocumentVersion(
        document=document, major=1, minor=0, body=_normalise(body), change_summary=change_summary, author=by
    )
    _save(version, reason="first draft", by=by)
    _refresh_search_text(document, body)
    return document


_METADATA = ("title", "kind", "owner_id", "review_interval_months", "required_approvals", "source_url")


@transaction.atomic
def document_update(*, document_id: int, by: User, **changes) -> Document:
    document = Document.objects.select_for_update().filter(pk=document_id).first()
    if document is None:
        raise NotFound("No such document.")
    _ensure_visible(by, document)
    if not perms.can_edit_metadata(by, document):
        raise PermissionDenied("Only the owner, a team lead or a QA manager can change the document's details.")
    unknown = set(changes) - set(_METADATA)
    if unknown:
        raise ValidationError({k: "This field can't be changed here." for k in unknown})
    errors = {}
    if "title" in changes and not str(changes["title"]).strip():
        errors["title"] = "A document needs a title."
    if "kind" in changes and changes["kind"] not in Kind.values:
        errors["kind"] = "Unknown kind."
    elif changes.get("kind", document.kind) == Kind.EXTERNAL and not changes.get("source_url", document.source_url):
        errors["source_url"] = "An external document needs the URL where it lives."
    if "owner_id" in changes and not team_members(team_id=document.team_id).filter(pk=changes["owner_id"]).exists():
        errors["owner"] = "The owner must be a member of the team."
    if "review_interval_months" in changes and not 1 <= int(changes["review_interval_months"]) <= 60:
        errors["review_interval_months"] = "The review interval is 1 to 60 months."
    if "required_approvals" in changes and not 1 <= int(changes["required_approvals"]) <= 5:
        errors["required_approvals"] = "Between 1 and 5 approvals."
    if errors:
        raise ValidationError(errors)
    changed = [k for k, v in changes.items() if getattr(document, k) != v]
    if not changed:
        return document
    for key in changed:
        setattr(document, key, changes[key])
    _save(document, reason="details changed: " + ", ".join(changed), by=by)
    return document


# --- drafting -------------------------------------------------------------------------------


@transaction.atomic
def version_create_draft(
    *, document_id: int, by: User, major: bool = False, change_summary: str = ""
) -> DocumentVersion:
    document = Document.objects.select_for_update().filter(pk=document_id).first()
    if document is None:
        raise NotFound("No such document.")
    _ensure_visible(by, document)
    if not perms.can_author(by, document):
        raise PermissionDenied("Your role in this team can't draft revisions.")
    versions = list(document.versions.all())
    draft = next((v for v in versions if v.status == Status.DRAFT), None)
    if draft is not None:
        raise Conflict(f"Version {draft.label} is already being drafted; edit that draft.", current={"id": draft.pk})
    base = next((v for v in versions if v.status == Status.EFFECTIVE), None) or (versions[0] if versions else None)
    top = max(((v.major, v.minor) for v in versions), default=(0, 0))
    number = (top[0] + 1, 0) if major or not versions else (top[0], top[1] + 1)
    version = DocumentVersion(
        document=document,
        major=number[0],
        minor=number[1],
        body=base.body if base else "",
        change_summary=change_summary.strip(),
        author=by,
    )
    _save(version, reason=f"revision {version.label} started", by=by)
    return version


@transaction.atomic
def version_update_draft(
    *, version_id: int, by: User, body: str, change_summary: str, lock_version: int
) -> DocumentVersion:
    """Save a draft's text. ``lock_version`` is what the editor loaded: if someone saved since,
    nothing is overwritten and Conflict carries the current text."""
    version = _lock(version_id, by)
    if version.status not in (Status.DRAFT,):
        raise Conflict(
            f"Version {version.label} is {version.get_status_display().lower()}: its text can't change. "
            "Start a new revision instead."
        )
    if not perms.can_edit_draft(by, version):
        raise PermissionDenied("Your role in this team can't edit drafts.")
    body = _normalise(body)
    if int(lock_version) != version.lock_version:
        raise Conflict(
            "Someone saved this draft after you opened it. Nothing of yours was overwritten: "
            "compare with their text below and save again.",
            current={
                "lock_version": version.lock_version,
                "body": version.body,
                "change_summary": version.change_summary,
            },
        )
    if version.body == body and version.change_summary == change_summary.strip():
        return version
    version.body = body
    version.change_summary = change_summary.strip()
    version.lock_version += 1
    _save(version, reason="draft edited", by=by)
    if not version.document.versions.filter(status=Status.EFFECTIVE).exists():
        _refresh_search_text(version.document, body)
    return version


# --- approval -------------------------------------------------------------------------------


@transaction.atomic
def version_submit(
    *,
    version_id: int,
    by: User,
    approver_ids: list[int],
    extra_team_ids: list[int] | None = None,
    effective_from: date | None = None,
) -> DocumentVersion:
    version = _lock(version_id, by)
    if version.status == Status.IN_REVIEW:
        return version  # a repeated submit is a no-op
    assert_transition(version.status, Status.IN_REVIEW)
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
    _save(version, reason=f"submitted for review (round {version.review_round})", by=by)
    version.extra_teams.set(extra)
    Approval.objects.bulk_create(
        [Approval(version=version, round=version.review_round, approver=leads[i]) for i in ids]
    )
    url = reverse("docs_control:version", args=[version.pk])
    for approver_id in ids:
        notification_enqueue(
            recipient=leads[approver_id],
            kind="document_approval_requested",
            subject=version,
            due_bucket=f"round-{version.review_round}",
            title=f"Approve {document.number} v{version.label}: {document.title}",
            body=f"{by.printed_name} asks you to approve this revision. {version.change_summary}",
            url=url,
        )
    return version


def _decide(version: DocumentVersion, by: User, target: str) -> Approval:
    approval = next(
        (a for a in version.approvals.all() if a.round == version.review_round and a.approver_id == by.pk),
        None,
    )
    if version.author_id == by.pk:
        raise PermissionDenied("The author can't approve or reject their own version.")
    if not has_right(by, version.document.team_id, Right.DOCUMENT_APPROVE):
        raise PermissionDenied("Only a team lead of the owning team can approve.")
    if approval is None or approval.decision != Decision.PENDING:
        raise PermissionDenied("You are not an approver of this review round.")
    return approval


@transaction.atomic
def version_approve(*, version_id: int, by: User, password: str, comment: str = "") -> DocumentVersion:
    """Sign an approval. When the required number is in, the version is approved and becomes
    effective now, or on its scheduled date. Concurrent last approvals queue on the row lock:
    the second one finds the transition done and is refused with the current status."""
    version = _lock(version_id, by)
    mine = version.approvals.filter(round=version.review_round, approver=by).first()
    if mine is not None and mine.decision == Decision.APPROVED:
        return version  # a retried request
    if version.status != Status.IN_REVIEW:
        raise TransitionNotAllowed(version.status, Status.APPROVED, f"Version {version.label} is not in review.")
    approval = _decide(version, by, Status.APPROVED)
    signature = signature_create(record=version, by=by, password=password, meaning=Meaning.APPROVED, comment=comment)
    approval.decision = Decision.APPROVED
    approval.decided_at = signature.signed_at
    approval.signature = signature
    approval.comment = comment.strip()
    _save(approval, reason="approved", by=by)
    approved = version.approvals.filter(round=version.review_round, decision=Decision.APPROVED).count()
    if approved < version.document.required_approvals:
        return version
    assert_transition(version.status, Status.APPROVED)
    version.status = Status.APPROVED
    version.approved_at = timezone.now()
    _save(version, reason=f"approved ({approved} of {version.document.required_approvals})", by=by)
    if version.effective_from is None or version.effective_from <= timezone.localdate():
        _make_effective(version, by=by)
    return version


@transaction.atomic
def version_reject(*, version_id: int, by: User, password: str, comment: str) -> DocumentVersion:
    """Request changes: back to draft with the reason, signed."""
    version = _lock(version_id, by)
    if version.status != Status.IN_REVIEW:
        raise TransitionNotAllowed(version.status, Status.DRAFT, f"Version {version.label} is not in review.")
    if not (comment or "").strip():
        raise ValidationError({"comment": "Say what has to change."})
    approval = _decide(version, by, Status.DRAFT)
    signature = signature_create(record=version, by=by, password=password, meaning=Meaning.REJECTED, comment=comment)
    approval.decision = Decision.REJECTED
    approval.decided_at = signature.signed_at
    approval.signature = signature
    approval.comment = comment.strip()
    _save(approval, reason="changes requested", by=by)
    assert_transition(version.status, Status.DRAFT)
    version.status = Status.DRAFT
    version.review_comment = comment.strip()
    _save(version, reason="changes requested", by=by)
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


def _make_effective(version: DocumentVersion, *, by: User | None) -> None:
    """Supersede the version in force and put this one in force, in the caller's transaction."""
    now = timezone.now()
    document = version.document
    previous = (
        DocumentVersion.objects.select_for_update()
        .filter(document=document, status=Status.EFFECTIVE)
        .exclude(pk=version.pk)
        .first()
    )
    if previous is not None:
        assert_transition(previous.status, Status.SUPERSEDED)
        previous.status = Status.SUPERSEDED
        previous.superseded_at = now
        _save(previous, reason=f"superseded by {version.label}", by=by)
    assert_transition(version.status, Status.EFFECTIVE)
    version.status = Status.EFFECTIVE
    version.effective_at = now
    _save(version, reason="effective", by=by)
    document.next_review_due = add_months(timezone.localdate(), document.review_interval_months)
    _save(document, reason=f"v{version.label} effective; next review set", by=by)
    _refresh_search_text(document, version.body)
    _request_acknowledgements(version, now=now)


def _request_acknowledgements(version: DocumentVersion, *, now) -> None:
    team_ids = [version.document.team_id, *version.extra_teams.values_list("pk", flat=True)]
    people = list(team_members(team_ids=team_ids))
    due = now + timedelta(days=settings.QMS_ACK_DUE_DAYS)
    Acknowledgement.objects.bulk_create(
        [Acknowledgement(version=version, user=u, requested_at=now, due_at=due) for u in people],
        ignore_conflicts=True,  # re-running adds nobody twice
    )
    url = reverse("docs_control:version", args=[version.pk])
    for person in people:
        notification_enqueue(
            recipient=person,
            kind="document_acknowledge",
            subject=version,
            title=f"Read and acknowledge {version.document.number} v{version.label}: {version.document.title}",
            body=f"Due by {timezone.localtime(due):%Y-%m-%d}.",
            url=url,
        )


@transaction.atomic
def version_make_effective(*, version_id: int, by: User, effective_from: date | None = None) -> DocumentVersion:
    """Put an approved version in force now, or schedule it (a beat task does it on the day)."""
    version = _lock(version_id, by)
    if version.status == Status.EFFECTIVE:
        return version
    assert_transition(version.status, Status.EFFECTIVE)
    if not perms.can_make_effective(by, version):
        raise PermissionDenied("Only the owner or a team lead can put a version in force.")
    today = timezone.localdate()
    if effective_from is not None and effective_from < today:
        raise ValidationError({"effective_from": "The effective date can't be in the past."})
    if effective_from is not None and effective_from > today:
        version.effective_from = effective_from
        _save(version, reason=f"scheduled effective on {effective_from:%Y-%m-%d}", by=by)
        return version
    _make_effective(version, by=by)
    return version


def versions_make_due_effective(*, today: date | None = None) -> list[int]:
    """Beat job: approved versions whose date has come become effective. Idempotent: each is
    re-checked under its lock, so a second tick finds nothing to do."""
    today = today or timezone.localdate()
    done = []
    due = DocumentVersion.objects.filter(status=Status.APPROVED, effective_from__lte=today).values_list("pk", flat=True)
    for version_id in list(due):
        with transaction.atomic():
            version = _lock(version_id, None)
            if version.status != Status.APPROVED or not version.effective_from or version.effective_from > today:
                continue
            _make_effective(version, by=None)
            done.append(version_id)
    return done


@transaction.atomic
def version_obsolete(*, version_id: int, by: User, reason: str) -> DocumentVersion:
    version = _lock(version_id, by)
    if version.status == Status.OBSOLETE:
        return version
    assert_transition(version.status, Status.OBSOLETE)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why this version is withdrawn."})
    if not perms.can_withdraw(by, version):
        raise PermissionDenied("Only a team lead or QA manager can withdraw a version.")
    version.status = Status.OBSOLETE
    version.obsolete_reason = reason.strip()
    _save(version, reason=f"withdrawn: {reason.strip()}", by=by)
    return version


@transaction.atomic
def version_acknowledge(*, version_id: int, by: User, password: str) -> Acknowledgement:
    version = _lock(version_id, by)
    ack = Acknowledgement.objects.select_for_update().filter(version=version, user=by).first()
    if ack is not None and ack.acknowledged_at is not None:
        return ack
    if version.status != Status.EFFECTIVE:
        raise TransitionNotAllowed(
            version.status,
            "acknowledged",
            f"Version {version.label} is not in force: nothing to acknowledge.",
        )
    if ack is None:
        raise PermissionDenied("You were not asked to acknowledge this version.")
    signature = signature_create(record=version, by=by, password=password, meaning=Meaning.ACKNOWLEDGED)
    ack.acknowledged_at = signature.signed_at
    ack.signature = signature
    ack.save(update_fields=["acknowledged_at", "signature"])
    return ack


@transaction.atomic
def document_review_no_change(*, document_id: int, by: User, password: str, comment: str = "") -> PeriodicReview:
    """Periodic review that finds the effective version still right: signed, next due reset."""
    document = Document.objects.select_for_update().filter(pk=document_id).first()
    if document is None:
        raise NotFound("No such document.")
    _ensure_visible(by, document)
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
    _save(document, reason="periodic review: no change", by=by)
    return review
