"""Helpers shared by the audit services: input checks, the audited save, the freeze."""

from django.db import models
from django.utils import timezone

from audits.models import AuditCounter
from audits.workflow import ensure_working
from core.exceptions import NotFound, ValidationError
from core.services import audited_save

MAX_TEXT = 20_000


def text(value, field: str, *, required: str = "", max_length: int = MAX_TEXT) -> str:
    """A cleaned text field: no NUL or other control characters but line breaks and tabs."""
    value = "" if value is None else str(value)
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        raise ValidationError({field: "Remove the control characters."})
    value = value.strip()
    if required and not value:
        raise ValidationError({field: required})
    if len(value) > max_length:
        raise ValidationError({field: f"At most {max_length} characters."})
    return value


def choice(value, choices: type[models.TextChoices], field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: f"Choose one of: {', '.join(choices.values)}."})
    return value


def save(obj: models.Model, reason: str, by) -> None:
    """Core's audited save, in the argument order this app's services use."""
    audited_save(obj, by=by, reason=reason)


def next_reference() -> str:
    """``AUD-2026-003``. The counter row stays locked until the caller's transaction ends."""
    year = timezone.now().year
    AuditCounter.objects.bulk_create([AuditCounter(year=year, last=0)], ignore_conflicts=True)
    counter = AuditCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"AUD-{year}-{counter.last:03d}"


def ensure_visible(allowed: bool, what: str = "audit") -> None:
    # The same answer for missing and forbidden: ids can't be probed.
    if not allowed:
        raise NotFound(f"No such {what}.")


__all__ = ["choice", "ensure_visible", "ensure_working", "next_reference", "save", "text"]
