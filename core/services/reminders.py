"""Send what is due: reminders through the outbox, and the daily digest emails.

Set-based: a run collects every provider's due rows and stores them with one
``INSERT … ON CONFLICT DO NOTHING`` per batch, so re-sending 100,000 items that are still due
costs a few statements, not 100,000 savepoints. Only rows this run created are emailed
immediately (for people who chose that); the rest wait for the person's digest.
"""

from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Delivery, User
from core.models import DigestLog, Notification
from core.reminders import Due, reminder_providers

BATCH = 2000
DIGEST_HOUR = 8


def _local(user: User, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(user.time_zone or settings.TIME_ZONE))


def reminders_send_due(*, now: datetime) -> int:
    """Store every due reminder once; email the new ones of people who want them at once.
    Returns how many reminders this run created."""
    today = timezone.localtime(now).date()
    dues: list[Due] = [due for provider in reminder_providers() for due in provider(today)]
    created_ids: list[int] = []
    for start in range(0, len(dues), BATCH):
        created_ids += _store(dues[start : start + BATCH])
    if created_ids:
        from core.tasks import notification_send_email

        immediate = Notification.objects.filter(
            pk__in=created_ids, recipient__reminder_delivery=Delivery.IMMEDIATE
        ).exclude(recipient__email="")
        for notification_id in immediate.values_list("pk", flat=True):
            notification_send_email.delay_on_commit(notification_id)
    return len(created_ids)


def _key(d: Due) -> tuple:
    return (d.recipient_id, d.kind, d.subject_type_id, d.subject_id, d.bucket)


def _existing(dues: list[Due]) -> dict[tuple, int]:
    rows = Notification.objects.filter(
        recipient_id__in={d.recipient_id for d in dues},
        kind__in={d.kind for d in dues},
        subject_id__in={d.subject_id for d in dues},
        due_bucket__in={d.bucket for d in dues},
    ).values_list("recipient_id", "kind", "subject_type_id", "subject_id", "due_bucket", "pk")
    return {row[:5]: row[5] for row in rows}


@transaction.atomic
def _store(dues: list[Due]) -> list[int]:
    """Insert the batch's reminders that were never sent; return the ids of those it added."""
    before = _existing(dues)
    new = [d for d in {_key(d): d for d in dues}.values() if _key(d) not in before]
    if not new:
        return []
    # A concurrent run may insert some of them first: the unique key drops ours (no error), and
    # both runs may then queue that email, which sends once (it is sent under a row lock).
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=d.recipient_id,
                kind=d.kind,
                subject_type_id=d.subject_type_id,
                subject_id=d.subject_id,
                due_bucket=d.bucket,
                title=d.title[:200],
                url=d.url[:300],
                body="Overdue." if d.overdue else (f"Due on {d.due_on:%d %b %Y}." if d.due_on else ""),
            )
            for d in new
        ],
        ignore_conflicts=True,
    )
    after = _existing(new)
    return [after[_key(d)] for d in new if _key(d) in after]


def notifications_send_digests(*, now: datetime) -> int:
    """One email per person who chose the digest, once per local day from 08:00, listing their
    open reminders (overdue first). Returns how many digests were sent."""
    pending = (
        Notification.objects.filter(emailed_at__isnull=True, read_at__isnull=True)
        .filter(recipient__reminder_delivery=Delivery.DIGEST, recipient__is_active=True)
        .exclude(recipient__email="")
        .exclude(due_bucket="")
        .select_related("recipient")
        .order_by("recipient_id", "created_at")
    )
    pending = pending.filter(done_at__isnull=True)
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in pending:
        by_user[notification.recipient_id].append(notification)
    sent = 0
    for items in by_user.values():
        user = items[0].recipient
        local = _local(user, now)
        if local.hour < DIGEST_HOUR:
            continue
        if _digest_once(user, local.date(), items, now):
            sent += 1
    return sent


def _digest_once(user: User, day: date, items: list[Notification], now: datetime) -> bool:
    try:
        with transaction.atomic():
            DigestLog.objects.create(user=user, day=day)
            items.sort(key=lambda n: (not n.due_bucket.startswith(("overdue", "escalated")), n.created_at))
            lines = [
                f"- {'OVERDUE: ' if n.due_bucket.startswith(('overdue', 'escalated')) else ''}{n.title}"
                + (f"\n  {settings.QMS_SITE_URL}{n.url}" if n.url else "")
                for n in items
            ]
            send_mail(
                subject=f"[QMS] {len(items)} item{'s' if len(items) != 1 else ''} due",
                message="What is due for you:\n\n" + "\n".join(lines),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[user.email],
            )
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
    except IntegrityError:
        return False  # another run sent today's digest
    return True
