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

Queries stay few per batch, not per signature: for each batch, the signed records are fetched per
record type (as now with ``in_bulk``, and all their history rows in one ordered query per history
model), then the tracked records their content reads (same again, one query each per related
model); the as-of lookups (the latest history row at or before the signing time, the latest of
all) are done in Python. Only a ``signature_content()`` that itself queries (a review's actions,
an audit's findings) still costs its own queries per signature.
"""

import copy
import functools
import gc
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from simple_history.models import SIMPLE_HISTORY_REVERSE_ATTR_NAME

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


@functools.cache
def _history_manager(model: type[models.Model]):
    # Cached: simple_history builds a new manager class on every ``model.history``, which took
    # most of the time of a check (milliseconds each, several per signature).
    manager = getattr(model, "history", None)
    return manager if manager is not None and hasattr(manager.model, "history_date") else None


@functools.cache
def _tracked_foreign_keys(model: type[models.Model]) -> tuple[models.ForeignKey, ...]:
    """The foreign keys whose rows ``signature_content()`` may read and whose history we keep."""
    if not hasattr(model, "signature_content"):
        return ()  # the default content covers raw field values (ids), never related rows
    return tuple(
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey) and _history_manager(field.related_model) is not None
    )


class _Records:
    """The rows a batch of signatures needs, as they are now and their history, fetched in a few
    queries per model (not per signature); the as-of lookups then run in Python."""

    def __init__(self) -> None:
        self.now: dict[tuple[type[models.Model], int], models.Model] = {}
        self.history: dict[tuple[type[models.Model], int], list] = {}
        self._loaded: set[tuple[type[models.Model], int]] = set()

    @classmethod
    def of(cls, signatures: Iterable[Signature]) -> "_Records":
        records = cls()
        ids: dict[type[models.Model], set[int]] = defaultdict(set)
        for signature in signatures:
            model = signature.record_type.model_class()
            if model is not None:
                ids[model].add(signature.record_id)
        for model, pks in ids.items():
            records.load(model, pks)
        related: dict[type[models.Model], set[int]] = defaultdict(set)
        for model, pks in ids.items():
            for field in _tracked_foreign_keys(model):
                for pk in pks:
                    rows = [records.now.get((model, pk)), *records.history.get((model, pk), ())]
                    related[field.related_model].update(getattr(row, field.attname) for row in rows if row is not None)
        for model, pks in related.items():
            records.load(model, pks)
        return records

    def load(self, model: type[models.Model], pks: Iterable[int | None]) -> None:
        """Rows ``pks`` of ``model`` as now (one query) and, if tracked, their history (one more)."""
        pks = {pk for pk in pks if pk is not None and (model, pk) not in self._loaded}
        if not pks:
            return
        self._loaded.update((model, pk) for pk in pks)
        for pk, row in model._default_manager.in_bulk(pks).items():
            self.now[(model, pk)] = row
        history = _history_manager(model)
        if history is not None:
            attname = model._meta.pk.attname
            rows = history.filter(**{f"{attname}__in": pks}).order_by(attname, "history_date", "history_id")
            for row in rows:
                self.history.setdefault((model, getattr(row, attname)), []).append(row)

    def as_of(self, model: type[models.Model], pk: int, when: datetime | None) -> models.Model | None:
        """``model`` row ``pk`` as it was at ``when`` (None: its latest history): from its history if
        tracked, else as it is now. None when it did not exist (deleted, or never there)."""
        for row in reversed(self.history.get((model, pk), ()) if _history_manager(model) else ()):
            if when is None or row.history_date <= when:
                return None if row.history_type == "-" else self._instance(model, row)
        now = self.now.get((model, pk))
        return copy.copy(now) if now is not None else None  # a copy: its related rows are set next

    def _instance(self, model: type[models.Model], row) -> models.Model:
        """``row.instance`` without its query per row: an excluded field (not in the history) is
        taken from the row as it is now, as simple_history does."""
        attrs = {field.attname: getattr(row, field.attname) for field in row.tracked_fields}
        excluded = [model._meta.get_field(name) for name in row._history_excluded_fields]
        now = self.now.get((model, getattr(row, model._meta.pk.attname)))
        if now is not None:
            attrs.update({field.attname: getattr(now, field.attname) for field in excluded if not field.many_to_many})
        instance = model(**attrs)
        setattr(instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, row)
        return instance

    def with_related(self, record: models.Model, when: datetime | None, *, now: bool = False) -> models.Model:
        """Point the tracked foreign keys that ``signature_content()`` may read at their state at
        ``when`` (``now``: as they are now), as a lazy load would, without its query."""
        for field in _tracked_foreign_keys(type(record)):
            related_pk = getattr(record, field.attname)
            if related_pk is None:
                continue
            key = (field.related_model, related_pk)
            related = None if now else self.as_of(*key, when)
            if related is None:
                related = self.now.get(key)  # what the lazy load would read
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
    records = getattr(signature, "_integrity_records", None) or _Records.of([signature])
    signed = records.as_of(model, signature.record_id, signature.signed_at)
    current = records.now.get((model, signature.record_id))
    if signed is None or current is None:
        return Mismatch("signature", signature.pk, what, "the signed record is missing")
    actual = canonical_sha256(records.with_related(signed, signature.signed_at))
    if actual != signature.content_sha256:
        return Mismatch(
            "signature",
            signature.pk,
            what,
            f"content changed since signing (signed {signature.content_sha256[:12]}…, now {actual[:12]}…)",
        )
    if _history_manager(model) is not None:
        latest = records.as_of(model, signature.record_id, None)
        if latest is None or canonical_sha256(records.with_related(current, None, now=True)) != canonical_sha256(
            records.with_related(latest, None)
        ):
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


def _batches(queryset: models.QuerySet, chunk_size: int) -> Iterator[list]:
    """Every row of ``queryset`` in primary-key order, ``chunk_size`` rows per query, a list per query."""
    last = None
    while True:
        batch = queryset.order_by("pk")
        if last is not None:
            batch = batch.filter(pk__gt=last)
        rows = list(batch[:chunk_size])
        if rows:
            yield rows
        if len(rows) < chunk_size:
            return
        last = rows[-1].pk
        # A checked row is garbage in a reference cycle (an instance and its FieldFile, history
        # rows and their instances); held through the batch, it has reached the oldest GC
        # generation, which Python collects rarely, so the garbage would grow with the table.
        # The caller drops its references to the batch before asking for the next one.
        del rows
        gc.collect()


def integrity_signatures(*, chunk_size: int = 500) -> Iterator[tuple[Signature, Mismatch | None]]:
    for signatures in _batches(Signature.objects.select_related("record_type"), chunk_size):
        records = _Records.of(signatures)
        for signature in signatures:
            signature._integrity_records = records
            yield signature, signature_check(signature)
        del signatures, records, signature


def integrity_attachments(*, chunk_size: int = 500) -> Iterator[tuple[Attachment, Mismatch | None]]:
    for attachments in _batches(Attachment.objects.all(), chunk_size):
        for attachment in attachments:
            yield attachment, attachment_check(attachment)
        del attachments, attachment
