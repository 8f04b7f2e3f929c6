"""Notifications of the audit app: enqueued once per (recipient, kind, audit) by core's outbox."""

from audits.models import Audit
from core.services import notification_enqueue


def audit_started_notify(*, audit_id: int) -> int:
    """Tell the auditees the audit has started. Idempotent: the outbox is unique per recipient."""
    audit = Audit.objects.filter(pk=audit_id).prefetch_related("auditees").first()
    if audit is None:
        return 0
    sent = 0
    for user in audit.auditees.all():
        _, created = notification_enqueue(
            recipient=user,
            kind="audit_started",
            subject=audit,
            title=f"Audit {audit.reference} has started",
            body=f"{audit.title}: you are an auditee.",
            url=audit.get_absolute_url(),
        )
        sent += created
    return sent
