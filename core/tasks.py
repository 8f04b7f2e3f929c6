"""Core tasks: ids in, one service call, nothing else."""

from smtplib import SMTPException

from celery import shared_task


@shared_task(acks_late=True)
def heartbeat() -> None:
    from core.services import heartbeat_record

    heartbeat_record(name="worker")


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def notification_send_email(notification_id: int) -> None:
    from core.services import notification_email_send

    notification_email_send(notification_id=notification_id)


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def notification_send_emails(notification_ids: list[int]) -> None:
    from core.services import notification_emails_send

    notification_emails_send(notification_ids=notification_ids)


@shared_task(acks_late=True, time_limit=10 * 60, soft_time_limit=9 * 60)
def send_due_reminders() -> None:
    from django.utils import timezone

    from core.services import reminders_send_due

    reminders_send_due(now=timezone.now())


@shared_task(acks_late=True, time_limit=10 * 60, soft_time_limit=9 * 60)
def send_digests() -> None:
    from django.utils import timezone

    from core.services import notifications_send_digests

    notifications_send_digests(now=timezone.now())


@shared_task
def sweep_stale_jobs() -> None:
    from core.services import jobs_sweep

    jobs_sweep()
