"""Notification outbox: one row per (recipient, kind, subject, due bucket); email after commit."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from core.exceptions import NotFound
from core.models import Notification


def notification_enqueue(
    *,
    recipient,
    kind: str,
    subject: models.Model,
    title: str,
    due_bucket: str = "",
    body: str = "",
    url: str = "",
) -> tuple[Notification, bool]:
    """Store a notification once and email it after commit. Returns (notification, created).

    A second call with the same recipient, kind, subject and bucket returns the first row and
    sends nothing: the unique constraint, not a check-then-insert, makes that true under races.
    """
    key = {
        "recipient": recipient,
        "kind": kind,
        "subject_type": ContentType.objects.get_for_model(subject),
        "subject_id": subject.pk,
        "due_bucket": due_bucket,
    }
    try:
        with transaction.atomic():
            notification = Notification.objects.create(**key, title=title[:200], body=body, url=url[:300])
    except IntegrityError:
        return Notification.objects.get(**key), False
    if recipient.email:
        from core.tasks import notification_send_email

        notification_send_email.delay_on_commit(notification.pk)
    return notification, True


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification. Idempotent: a sent one (or one that is gone) is skipped."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True, done_at__isnull=True)
            .first()
        )
        # Gone, sent, or its task already done (a reminder of a finished task is noise).
        if notification is None or not notification.recipient.email:
            return False
        link = f"\n\n{settings.QMS_SITE_URL}{notification.url}" if notification.url else ""
        send_mail(
            subject=f"[QMS] {notification.title}",
            message=f"{notification.body}{link}",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.recipient.email],
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        return True


def notification_emails_send(*, notification_ids: list[int]) -> int:
    """Email a batch of notifications, each as ``notification_email_send`` does (a retried batch
    skips the ones already sent). Returns how many were sent."""
    return sum(notification_email_send(notification_id=pk) for pk in notification_ids)


def notification_mark_read(*, notification_id: int, by) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, recipient=by).first()
    if notification is None:
        raise NotFound("No such notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, by) -> int:
    # Notifications are not history-tracked, so a bulk update loses no audit trail.
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(read_at=timezone.now())


def notifications_resolve(*, subject: models.Model, kind: str | None = None, recipient=None) -> int:
    """Mark done the open notifications about ``subject`` (of ``kind``, to ``recipient``, when
    given) because the task they ask for is done or moot. Returns how many were marked.

    Call it in the same transaction as the change that completes the task. Idempotent: done
    rows keep their first ``done_at``. A done notification stays in the inbox's "All" list.
    """
    open_ = Notification.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk, done_at__isnull=True
    )
    if kind is not None:
        open_ = open_.filter(kind=kind)
    if recipient is not None:
        open_ = open_.filter(recipient=recipient)
    # Notifications are not history-tracked, so a bulk update loses no audit trail.
    return open_.update(done_at=timezone.now())
