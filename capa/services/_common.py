"""Helpers shared by the CAPA services: locking, reference numbers, input checks."""

from django.db import models
from django.utils import timezone

from accounts.models import User
from accounts.permissions import has_right
from accounts.roles import Right
from capa.models import (
    CorrectiveAction,
    Nonconformity,
    ReferenceCounter,
    SourceKind,
)
from capa.workflow import FINAL
from core.exceptions import TransitionNotAllowed, ValidationError
from core.services import audited_save

CHECK_DEFAULT_DAYS = 30
MAX_WHYS = 10

# Source models other apps pass to nonconformity_raise, by app label and model name.
SOURCE_KINDS = {
    "post_reviews.defect": SourceKind.POST_REVIEW_DEFECT,
    "audits.finding": SourceKind.AUDIT_FINDING,
    "metrics.trendalert": SourceKind.DEFECT_TREND,
}


# --- helpers ----------------------------------------------------------------------------------


def _next_reference(prefix: str) -> str:
    """``NC-2026-0042``. The counter row is locked until the caller's transaction ends, so two
    raises can't take the same number; the unique constraint on ``reference`` backs this up."""
    year = timezone.now().year
    # Create the year's row if it is missing; ON CONFLICT DO NOTHING makes that race-free.
    ReferenceCounter.objects.bulk_create([ReferenceCounter(prefix=prefix, year=year, last=0)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(prefix=prefix, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:04d}"


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _choice(value: str, choices: type[models.TextChoices], field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: f"Choose one of: {', '.join(choices.values)}."})
    return value


def _lock_nc(nonconformity_id: int) -> Nonconformity:
    return Nonconformity.objects.select_for_update().get(pk=nonconformity_id)


def _lock_capa(capa_id: int) -> CorrectiveAction:
    return CorrectiveAction.objects.select_for_update().get(pk=capa_id)


def _ensure_editable(capa: CorrectiveAction) -> None:
    # Closed and cancelled CAPAs are records now: read-only.
    if capa.status in FINAL:
        raise TransitionNotAllowed(capa.status, "edit", f"{capa.reference} is {capa.status} and read-only.")


def _team_member(user: User | None, team_id: int, field: str) -> User:
    if user is None or not has_right(user, team_id, Right.VIEW):
        raise ValidationError({field: "Choose a member of the team."})
    return user


def _set_status(obj: models.Model, target: str, reason: str, *, by: User | None, **fields) -> None:
    obj.status = target
    for name, value in fields.items():
        setattr(obj, name, value)
    audited_save(obj, by=by, reason=reason)
