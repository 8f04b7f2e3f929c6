"""Tamper evidence: recompute what each signature and attachment hash covers, and compare.

A signature's hash covers the record as it was when it was signed (core.services.signatures).
Records move on legitimately after that (a signed version is approved, an NC closes), and every
legitimate change leaves a django-simple-history row, which the database keeps append-only. So a
signature is checked twice:

1. the record rebuilt from its history as of the signing time (and so are the tracked records its
   ``signature_content()`` reads: a version's document, for number and title) must hash to the
   signed value: the history is what was signed;
2. the record as it is now must have the same signed content as its latest history row: nobody
   changed it behind the app's back (raw SQL writes no history).

A record without history is compared, as it is now, with the signature.

Memory stays flat however many rows there are: rows are read in keyset batches (``pk > last``,
``chunk_size`` at a time), so no list of all rows is built, no server-side cursor is held open
for the whole run (none is available behind a transaction-pooling PgBouncer, where ``iterator()``
would fetch everything at once), and each batch is a short indexed query.
"""

import gc
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db import models

from core.models import Attachment, Signature
from core.services.signatures import canonical_sha256

_FILE_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Mismatch:
    kind: str  # "signature" or "attachment"
    pk: int
    what: str  # the signed record or the file
    reason: str

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.what}): {self.reason}"


def _history_manager(model: type[models.Model]):
    manager = getattr(model, "history", None)
    return manager if manager is not None and hasattr(manager.model, "history_date") else None


def record_as_of(model: type[models.Model], pk: int, when: datetime | None) -> models.Model | None:
    """``model`` row ``pk`` as it was at ``when`` (None: its latest history): from its history if
    tracked, else as it is now. None when it did not exist (deleted, or never there)."""
    history = _history_manager(model)
    if history is not None:
        rows = history.filter(**{model._meta.pk.attname: pk})
        if when is not None:
            rows = rows.filter(history_date__lte=when)
        row = rows.order_by("-history_date", "-history_id").first()
        if row is not None:
            return None if row.history_type == "-" else row.instance
    return model._default_manager.filter(pk=pk).first()


def _with_related_as_of(record: models.Model, when: datetime | None) -> models.Model:
    """Point the tracked foreign keys that ``signature_content()`` may read at their state at ``when``."""
    if not hasattr(record, "signature_content"):
        return record  # the default content covers raw field values (ids), never related rows
    for field in record._meta.concrete_fields:
        if not isinstance(field, models.ForeignKey) or _history_manager(field.related_model) is None:
            continue
        related_pk = getattr(record, field.attname)
        if related_pk is not None:
            related = record_as_of(field.related_model, related_pk, when)
            if related is not None:
                setattr(record, field.name, related)
    return record


def signature_check(signature: Signature) -> Mismatch | None:
    model = signature.record_type.model_class()
    signed_at = f"{signature.signed_at:%Y-%m-%d %H:%M:%S} UTC"
    what = f"{signature.get_meaning_display().lower()} by {signature.printed_name} at {signed_at}"
    if model is None:
        return Mismatch("signature", signature.pk, what, f"record type {signature.record_type} no longer exists")
    what = f"{model._meta.label_lower} {signature.record_id} v{signature.record_version or '-'}, {what}"
    signed = record_as_of(model, signature.record_id, signature.signed_at)
    current = model._default_manager.filter(pk=signature.record_id).first()
    if signed is None or current is None:
        return Mismatch("signature", signature.pk, what, "the signed record is missing")
    actual = canonical_sha256(_with_related_as_of(signed, signature.signed_at))
    if actual != signature.content_sha256:
        return Mismatch(
            "signature",
            signature.pk,
            what,
            f"content changed since signing (signed {signature.content_sha256[:12]}…, now {actual[:12]}…)",
        )
    if _history_manager(model) is not None:
        latest = record_as_of(model, signature.record_id, None)
        if latest is None or canonical_sha256(current) != canonical_sha256(_with_related_as_of(latest, None)):
            return Mismatch(
                "signature",
                signature.pk,
                what,
                "content changed since signing: the record differs from its audit trail (changed outside the app)",
            )
    return None


def attachment_check(attachment: Attachment) -> Mismatch | None:
    what = f"{attachment.original_name}, stored as {attachment.file.name}"
    digest = hashlib.sha256()
    size = 0
    try:
        with attachment.file.storage.open(attachment.file.name, "rb") as stored:
            while chunk := stored.read(_FILE_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except FileNotFoundError:
        return Mismatch("attachment", attachment.pk, what, "the stored file is missing")
    if digest.hexdigest() != attachment.sha256:
        return Mismatch(
            "attachment",
            attachment.pk,
            what,
            f"bytes changed since upload (uploaded {attachment.sha256[:12]}…, now {digest.hexdigest()[:12]}…, "
            f"{size} bytes, uploaded {attachment.size})",
        )
    return None


def _in_batches(queryset: models.QuerySet, chunk_size: int) -> Iterator:
    """Every row of ``queryset`` in primary-key order, ``chunk_size`` rows per query."""
    last = None
    while True:
        batch = queryset.order_by("pk")
        if last is not None:
            batch = batch.filter(pk__gt=last)
        rows = list(batch[:chunk_size])
        yield from rows
        if len(rows) < chunk_size:
            return
        last = rows[-1].pk
        # A checked row is garbage in a reference cycle (an instance and its FieldFile, history
        # rows and their instances); held through the batch, it has reached the oldest GC
        # generation, which Python collects rarely, so the garbage would grow with the table.
        del rows
        gc.collect()


def integrity_signatures(*, chunk_size: int = 500) -> Iterator[tuple[Signature, Mismatch | None]]:
    for signature in _in_batches(Signature.objects.select_related("record_type"), chunk_size):
        yield signature, signature_check(signature)


def integrity_attachments(*, chunk_size: int = 500) -> Iterator[tuple[Attachment, Mismatch | None]]:
    for attachment in _in_batches(Attachment.objects.all(), chunk_size):
        yield attachment, attachment_check(attachment)
