from celery import shared_task


@shared_task
def audit_notify_started(audit_id: int) -> None:
    from audits.services.notifications import audit_started_notify

    audit_started_notify(audit_id=audit_id)
