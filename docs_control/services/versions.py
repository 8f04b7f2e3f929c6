"""A version's life outside approval: drafting, putting in force, withdrawing."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.exceptions import Conflict, PermissionDenied, ValidationError
from core.services import audited_save, notifications_resolve
from docs_control import permissions as perms
from docs_control.models import DocumentVersion
from docs_control.workflow import Status

from ._common import add_months, check_transition, locked_document, locked_version, normalise, refresh_search_text
from .acknowledgements import ACKNOWLEDGE, acknowledgements_request


@transaction.atomic
def version_create_draft(
    *, document_id: int, by: User, major: bool = False, change_summary: str = ""
) -> DocumentVersion:
    document = locked_document(document_id, by)
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
    audited_save(version, reason=f"revision {version.label} started", by=by)
    return version


@transaction.atomic
def version_update_draft(
    *, version_id: int, by: User, body: str, change_summary: str, lock_version: int
) -> DocumentVersion:
    """Save a draft's text. ``lock_version`` is what the editor loaded: if someone saved since,
    nothing is overwritten and Conflict carries the current text."""
    version = locked_version(version_id, by)
    if version.status != Status.DRAFT:
        raise Conflict(
            f"Version {version.label} is {version.get_status_display().lower()}: its text can't change. "
            "Start a new revision instead."
        )
    if not perms.can_edit_draft(by, version):
        raise PermissionDenied("Your role in this team can't edit drafts.")
    body = normalise(body)
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
    audited_save(version, reason="draft edited", by=by)
    if not version.document.versions.filter(status=Status.EFFECTIVE).exists():
        refresh_search_text(version.document, body)
    return version


def make_effective(version: DocumentVersion, *, by: User | None) -> None:
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
        check_transition(previous.status, Status.SUPERSEDED)
        previous.status = Status.SUPERSEDED
        previous.superseded_at = now
        audited_save(previous, reason=f"superseded by {version.label}", by=by)
        # Nobody has to read the old text any more: its "read and acknowledge" tasks are done.
        notifications_resolve(subject=previous, kind=ACKNOWLEDGE)
    check_transition(version.status, Status.EFFECTIVE)
    version.status = Status.EFFECTIVE
    version.effective_at = now
    audited_save(version, reason="effective", by=by)
    document.next_review_due = add_months(timezone.localdate(), document.review_interval_months)
    audited_save(document, reason=f"v{version.label} effective; next review set", by=by)
    refresh_search_text(document, version.body)
    acknowledgements_request(version, now=now)


@transaction.atomic
def version_make_effective(*, version_id: int, by: User, effective_from: date | None = None) -> DocumentVersion:
    """Put an approved version in force now, or schedule it (a beat task does it on the day)."""
    version = locked_version(version_id, by)
    if version.status == Status.EFFECTIVE:
        return version
    check_transition(version.status, Status.EFFECTIVE)
    if not perms.can_make_effective(by, version):
        raise PermissionDenied("Only the owner or a team lead can put a version in force.")
    today = timezone.localdate()
    if effective_from is not None and effective_from < today:
        raise ValidationError({"effective_from": "The effective date can't be in the past."})
    if effective_from is not None and effective_from > today:
        version.effective_from = effective_from
        audited_save(version, reason=f"scheduled effective on {effective_from:%Y-%m-%d}", by=by)
        return version
    make_effective(version, by=by)
    return version


def versions_make_due_effective(*, today: date | None = None) -> list[int]:
    """Beat job: approved versions whose date has come become effective. Idempotent: each is
    re-checked under its lock, so a second tick finds nothing to do."""
    today = today or timezone.localdate()
    done = []
    due = DocumentVersion.objects.filter(status=Status.APPROVED, effective_from__lte=today).values_list("pk", flat=True)
    for version_id in list(due):
        with transaction.atomic():
            version = locked_version(version_id, None)
            if version.status != Status.APPROVED or not version.effective_from or version.effective_from > today:
                continue
            make_effective(version, by=None)
            done.append(version_id)
    return done


@transaction.atomic
def version_obsolete(*, version_id: int, by: User, reason: str) -> DocumentVersion:
    version = locked_version(version_id, by)
    if version.status == Status.OBSOLETE:
        return version
    check_transition(version.status, Status.OBSOLETE)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why this version is withdrawn."})
    if not perms.can_withdraw(by, version):
        raise PermissionDenied("Only a team lead or QA manager can withdraw a version.")
    version.status = Status.OBSOLETE
    version.obsolete_reason = reason.strip()
    audited_save(version, reason=f"withdrawn: {reason.strip()}", by=by)
    # A withdrawn version is neither read nor approved any more: its open tasks are done.
    notifications_resolve(subject=version)
    return version
