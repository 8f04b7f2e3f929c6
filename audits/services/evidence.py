"""Evidence on an answer or a finding: a file (stored as a core Attachment, hashed and checked by
content), an existing attachment, or a link to a record of another app that the caller may see."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import User
from audits import permissions as perms
from audits.models import Answer, Audit, Evidence, Finding, RecordKind
from audits.selectors import audit_lock
from audits.workflow import ensure_working
from core.exceptions import NotFound, ValidationError

from ._common import choice, ensure_visible, save, text


def record_get_for(user: User, kind: str, record_id: int):
    """The linked record through its app's selector: NotFound when the user may not see it."""
    if kind == RecordKind.DOCUMENT_VERSION:
        from docs_control.selectors import version_get_for

        version = version_get_for(user, version_id=record_id)
        return version, f"{version.document.number} v{version.label} ({version.get_status_display()})"
    if kind == RecordKind.POST_REVIEW:
        from post_reviews.selectors import review_get_for

        review = review_get_for(user, review_id=record_id)
        return review, f"Review {review.pk} of {review.post.account} ({review.get_outcome_display()})"
    if kind == RecordKind.SAMPLING_LOT:
        from post_reviews.selectors import lot_get_for

        lot = lot_get_for(user, lot_id=record_id)
        return lot, f"{lot} ({lot.get_status_display()})"
    if kind == RecordKind.NONCONFORMITY:
        from capa.selectors import nonconformity_get_for

        nc = nonconformity_get_for(user, record_id)
        return nc, str(nc)
    if kind == RecordKind.CAPA:
        from capa.selectors import capa_get_for

        capa = capa_get_for(user, record_id)
        return capa, str(capa)
    raise ValidationError({"record": f"Choose a record type: {', '.join(RecordKind.values)}."})


def _target(audit: Audit, *, answer_id: int | None, finding_id: int | None):
    if (answer_id is None) == (finding_id is None):
        raise ValidationError({"non_field_errors": "Evidence goes on one answer or one finding."})
    if answer_id is not None:
        target = Answer.objects.filter(audit=audit, pk=answer_id).first()
        ensure_visible(target is not None, "answer in this audit")
        return {"answer": target}, target
    target = Finding.objects.filter(audit=audit, pk=finding_id).first()
    ensure_visible(target is not None, "finding in this audit")
    return {"finding": target}, target


@transaction.atomic
def evidence_add(
    *,
    audit_id: int,
    by: User,
    answer_id: int | None = None,
    finding_id: int | None = None,
    upload: UploadedFile | None = None,
    attachment_id: int | None = None,
    record: dict | None = None,
    note: str = "",
) -> Evidence:
    """Add one piece of evidence. Exactly one of ``upload``, ``attachment_id`` or ``record``
    (``{"type": "post_review", "id": 12}``). Refused (409) once the audit is closed."""
    audit = audit_lock(audit_id)
    ensure_visible(perms.can_view(by, audit))
    perms.ensure(perms.can_run(by, audit), "Only the audit's auditors add evidence.")
    ensure_working(audit.status, "evidence")
    on, target = _target(audit, answer_id=answer_id, finding_id=finding_id)
    given = [x for x in (upload, attachment_id, record) if x is not None]
    if len(given) != 1:
        raise ValidationError({"non_field_errors": "Give one file, one attachment or one record link."})
    evidence = Evidence(audit=audit, added_by=by, note=text(note, "note", max_length=500), **on)
    if upload is not None:
        from core.services import attachment_create

        evidence.attachment = attachment_create(team=audit.team, upload=upload, by=by, record=target)
    elif attachment_id is not None:
        from core.selectors import attachment_get_for

        try:
            evidence.attachment = attachment_get_for(by, attachment_id=attachment_id)
        except NotFound as exc:
            raise ValidationError({"attachment": "No such attachment among those you may see."}) from exc
    else:
        if not isinstance(record, dict) or set(record) != {"type", "id"} or not isinstance(record["id"], int):
            raise ValidationError({"record": 'Give {"type": ..., "id": ...}.'})
        kind = choice(record["type"], RecordKind, "record")
        try:
            _, label = record_get_for(by, kind, record["id"])
        except NotFound as exc:
            raise ValidationError({"record": "No such record among those you may see."}) from exc
        evidence.record_kind, evidence.record_id, evidence.record_label = kind, record["id"], label[:200]
    save(evidence, "evidence added", by)
    return evidence
