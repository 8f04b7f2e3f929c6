"""Celery tasks of the audits app: ids in, one service call."""

from celery import shared_task


@shared_task
def audit_notify_started(audit_id: int) -> None:
    from audits.services.notifications import audit_started_notify

    audit_started_notify(audit_id=audit_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_evidence_pack(job_id: int) -> None:
    # Idempotent: a finished job is left alone, a redelivered one (worker lost) rebuilds from scratch.
    from audits.packs.services import evidence_pack_build

    evidence_pack_build(job_id=job_id)
