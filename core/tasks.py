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
