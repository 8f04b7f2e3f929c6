"""Send what is due: reminders through the outbox, and the daily digest emails.

Set-based: a run collects every provider's due rows and stores them with one
``INSERT … SELECT … WHERE NOT EXISTS … ON CONFLICT DO NOTHING RETURNING`` per batch (PostgreSQL),
so re-sending 100,000 items that are still due costs a few statements, not 100,000 savepoints
or look-ups. Only rows this run created are emailed immediately (for people who chose that), in
batches after commit; the rest wait for the person's digest. docs/metrics.md has the figures.
"""

import json
from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Delivery, User
from core.models import DigestLog, Notification
from core.reminders import Due, reminder_providers

BATCH = 5000
EMAIL_BATCH = 100
DIGEST_HOUR = 8


def _local(user: User, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(user.time_zone or settings.TIME_ZONE))


def reminders_send_due(*, now: datetime) -> int:
    """Store every due reminder once; email the new ones of people who want them at once.
    Returns how many reminders this run created."""
    today = timezone.localtime(now).date()
    dues = {_key(due): due for provider in reminder_providers() for due in provider(today)}
    # In key order: two runs at once take the unique index's row locks in the same order.
    ordered = [dues[key] for key in sorted(dues)]
    store = _insert_new if connection.vendor == "postgresql" else _store
    created: list[tuple[int, int]] = []
    for start in range(0, len(ordered), BATCH):
        created += store(ordered[start : start + BATCH])
    _email_immediately(created)
    return len(created)


def _email_immediately(created: list[tuple[int, int]]) -> None:
    """Queue, after commit and in batches, the email of each new reminder whose recipient wants
    them at once: one query for the recipients, whatever the number of reminders."""
    if not created:
        return
    from core.tasks import notification_send_emails

    wanting = set(
        User.objects.filter(pk__in={recipient for _, recipient in created}, reminder_delivery=Delivery.IMMEDIATE)
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    ids = sorted(pk for pk, recipient in created if recipient in wanting)
    for start in range(0, len(ids), EMAIL_BATCH):
        notification_send_emails.delay_on_commit(ids[start : start + EMAIL_BATCH])


def _key(d: Due) -> tuple:
    return (d.recipient_id, d.kind, d.subject_type_id, d.subject_id, d.bucket)


def _body(d: Due) -> str:
    return "Overdue." if d.overdue else (f"Due on {d.due_on:%d %b %Y}." if d.due_on else "")


_INSERT_NEW = """
INSERT INTO {table} (recipient_id, kind, subject_type_id, subject_id, due_bucket, title, body, url, created_at)
SELECT v.r, v.k, v.t, v.s, v.b, v.title, v.body, v.url, %(now)s
  FROM json_to_recordset(%(rows)s::json)
       AS v(r bigint, k text, t int, s bigint, b text, title text, body text, url text)
 WHERE NOT EXISTS (
       SELECT 1 FROM {table} n
        WHERE n.recipient_id = v.r AND n.kind = v.k AND n.subject_type_id = v.t AND n.subject_id = v.s
          AND n.due_bucket = v.b)
    ON CONFLICT DO NOTHING
RETURNING id, recipient_id"""


def _insert_new(dues: list[Due]) -> list[tuple[int, int]]:
    """One statement for the batch: the reminders never stored are inserted, the others skipped
    (those already there before the sequence is touched; those a concurrent run inserts meanwhile
    by the unique key). The rows go as one JSON document, not one array per column: quoting
    each element of text arrays costs more than the insert. Returns (id, recipient id) of the
    rows it added."""
    rows = [
        {
            "r": d.recipient_id,
            "k": d.kind,
            "t": d.subject_type_id,
            "s": d.subject_id,
            "b": d.bucket,
            "title": d.title[:200],
            "body": _body(d),
            "url": d.url[:300],
        }
        for d in dues
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _INSERT_NEW.format(table=Notification._meta.db_table), {"now": timezone.now(), "rows": json.dumps(rows)}
        )
        return [tuple(row) for row in cursor.fetchall()]


def _existing(dues: list[Due]) -> dict[tuple, int]:
    rows = Notification.objects.filter(
        recipient_id__in={d.recipient_id for d in dues},
        kind__in={d.kind for d in dues},
        subject_id__in={d.subject_id for d in dues},
        due_bucket__in={d.bucket for d in dues},
    ).values_list("recipient_id", "kind", "subject_type_id", "subject_id", "due_bucket", "pk")
    return {row[:5]: row[5] for row in rows}


@transaction.atomic
def _store(dues: list[Due]) -> list[tuple[int, int]]:
    """Other databases (SQLite for ``make run``): insert the batch's reminders that were never
    sent; return (id, recipient id) of those it added."""
    before = _existing(dues)
    new = [d for d in dues if _key(d) not in before]
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
                body=_body(d),
            )
            for d in new
        ],
        ignore_conflicts=True,
    )
    after = _existing(new)
    return [(after[_key(d)], d.recipient_id) for d in new if _key(d) in after]


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
