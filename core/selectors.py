from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from accounts.permissions import team_ids_of
from core.exceptions import NotFound
from core.models import Attachment, Notification, Signature


def notification_list_for(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True, done_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def notification_unread_count(user) -> int:
    return notification_list_for(user, unread_only=True).count()


def attachment_list_for(user) -> QuerySet[Attachment]:
    return Attachment.objects.filter(team_id__in=team_ids_of(user)).select_related("uploaded_by", "team")


def attachment_get_for(user, *, attachment_id: int) -> Attachment:
    attachment = attachment_list_for(user).filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("No such attachment.")
    return attachment


def attachments_of(record: models.Model) -> QuerySet[Attachment]:
    return Attachment.objects.filter(
        record_type=ContentType.objects.get_for_model(record), record_id=record.pk
    ).select_related("uploaded_by")


def attachments_by_record(records: list[models.Model]) -> dict[int, list[Attachment]]:
    """The attachments of several records of one model, by record id: one query however many."""
    found: dict[int, list[Attachment]] = {record.pk: [] for record in records}
    if records:
        for attachment in Attachment.objects.filter(
            record_type=ContentType.objects.get_for_model(records[0]), record_id__in=list(found)
        ).select_related("uploaded_by"):
            found[attachment.record_id].append(attachment)
    return found


def signatures_of(record: models.Model) -> QuerySet[Signature]:
    return Signature.objects.for_record(record).select_related("signer").order_by("signed_at", "id")


def history_entries(record: models.Model, *, limit: int = 50) -> list[dict]:
    """Who changed what and when, newest first, with old → new per field.

    One query: history rows with their users; diffs are computed between neighbours in Python.
    A row past the limit is used only as the base of the oldest diff shown.
    """
    rows = list(record.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    entries = []
    for i, row in enumerate(rows[:limit]):
        previous = rows[i + 1] if i + 1 < len(rows) else None
        changes = []
        if previous is not None and row.history_type == "~":
            delta = row.diff_against(previous)
            for change in delta.changes:
                field = row.instance_type._meta.get_field(change.field)
                changes.append(
                    {"field": str(field.verbose_name), "old": _show(field, change.old), "new": _show(field, change.new)}
                )
        entries.append(
            {
                "when": row.history_date,
                "who": row.history_user.printed_name if row.history_user else "system",
                "action": {"+": "created", "~": "changed", "-": "deleted"}[row.history_type],
                "reason": row.history_change_reason or "",
                "changes": changes,
            }
        )
    return entries


def _show(field, value) -> str:
    """A stored value as a person reads it: choice labels, lists as lists, local times with
    their zone, yes/no, and the related record's name rather than its id."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list | tuple):
        text = "; ".join(_show(None, v) for v in value)
    elif isinstance(value, dict):
        text = "; ".join(f"{k}: {_show(None, v)}" for k, v in value.items())
    elif isinstance(value, bool):
        text = "Yes" if value else "No"
    elif isinstance(value, datetime):
        text = date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "Y-m-d H:i T")
    elif field is not None and getattr(field, "flatchoices", None):
        text = str(dict(field.flatchoices).get(value, value))
    elif field is not None and field.is_relation and field.related_model is not None:
        related = field.related_model._default_manager.filter(pk=value).first()
        text = str(related) if related is not None else f"#{value} (removed)"
    else:
        text = str(value)
    return text if len(text) <= 200 else text[:197] + "…"
