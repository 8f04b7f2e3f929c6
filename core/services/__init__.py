"""Every write of the core kernel. Other apps import from here, not from the submodules."""

from .attachments import attachment_create
from .health import heartbeat_record, readiness_checks
from .history import audited_save
from .jobs import job_claim, job_fail, job_finish, job_requeue, job_touch, jobs_stuck_count, jobs_sweep
from .notifications import (
    notification_email_send,
    notification_emails_send,
    notification_enqueue,
    notification_mark_all_read,
    notification_mark_read,
    notifications_resolve,
)
from .reminders import notifications_send_digests, reminders_send_due
from .signatures import canonical_sha256, signature_create

__all__ = [
    "attachment_create",
    "audited_save",
    "canonical_sha256",
    "heartbeat_record",
    "job_claim",
    "job_fail",
    "job_finish",
    "job_requeue",
    "job_touch",
    "jobs_stuck_count",
    "jobs_sweep",
    "notification_email_send",
    "notification_emails_send",
    "notification_enqueue",
    "notification_mark_all_read",
    "notification_mark_read",
    "notifications_resolve",
    "notifications_send_digests",
    "readiness_checks",
    "reminders_send_due",
    "signature_create",
]
