"""The life of a background job row (`core.models.JobRun`): claim, touch, finish, requeue, sweep.

The worker side:

    run = job_claim(ImportRun, run_id=...)      # None: done, failed, or another worker has it
    if run is None: return
    with heartbeat(ImportRun, run.pk):
        ... each committed step: job_touch(run, rows_done=...)
    job_finish(run)  /  job_fail(run, message=...)

`jobs_sweep()` (the `sweep_stale_jobs` beat task) resumes or fails rows whose worker went quiet.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.broker import enqueue_on_commit
from core.jobs import JobSuperseded, job_kind_of, registered_jobs
from core.models import JobRun, JobStatus

logger = logging.getLogger("qms.jobs")

GAVE_UP = (
    "The worker running this job stopped (it crashed, was killed or was restarted) {n} times, "
    "so it was not started again. Retry it, or ask an administrator to look at the worker logs."
)
STOPPED = (
    "The worker running this job stopped (it crashed, was killed or was restarted) and the job "
    "can't be resumed part-way. Retry it to start again."
)


def _stale_cutoff(now):
    return now - timedelta(seconds=settings.QMS_JOB_STALE_SECONDS)


def job_claim(model: type[JobRun], *, run_id: int) -> JobRun | None:
    """Take the row for this attempt: queued (or running with a stale heartbeat, i.e. its worker
    died and the broker redelivered the task) becomes running. Returns None, changing nothing,
    when the row is gone, finished, or running with a live heartbeat elsewhere (a duplicate
    message). After QMS_JOB_MAX_ATTEMPTS starts the row is failed instead of started again."""
    now = timezone.now()
    with transaction.atomic():
        run = model.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status in (JobStatus.DONE, JobStatus.FAILED):
            return None
        if run.status == JobStatus.RUNNING and run.heartbeat_at and run.heartbeat_at >= _stale_cutoff(now):
            return None
        if run.attempts >= settings.QMS_JOB_MAX_ATTEMPTS:
            _finish(run, JobStatus.FAILED, GAVE_UP.format(n=run.attempts), now)
            return None
        run.status = JobStatus.RUNNING
        run.attempts += 1
        run.heartbeat_at = now
        run.started_at = run.started_at or now
        run.failure_message = ""
        run.save(update_fields=["status", "attempts", "heartbeat_at", "started_at", "failure_message"])
    return run


def _this_attempt(run: JobRun):
    """The row while it is still this worker's attempt. The attempt count is the fencing token:
    once the sweeper has handed the job to another worker (a new claim, attempts + 1), the old
    worker's writes match nothing."""
    return type(run).objects.filter(pk=run.pk, attempts=run.attempts, status=JobStatus.RUNNING)


def job_touch(run: JobRun, **fields) -> None:
    """A committed step: store the job's progress fields and the heartbeat in one UPDATE.
    Call it inside the step's transaction so progress and data commit together. Raises
    JobSuperseded (rolling the step back) when another attempt owns the job now."""
    if not _this_attempt(run).update(heartbeat_at=timezone.now(), **fields):
        raise JobSuperseded(f"{run._meta.label_lower} {run.pk}: attempt {run.attempts} was superseded")


def _finish(run: JobRun, status: str, message: str, now) -> None:
    run.status = status
    run.failure_message = message
    run.finished_at = now
    run.heartbeat_at = now
    run.save(update_fields=["status", "failure_message", "finished_at", "heartbeat_at"])


def _end(run: JobRun, status: str, message: str, extra_fields: tuple[str, ...]) -> bool:
    now = timezone.now()
    values = {name: getattr(run, name) for name in extra_fields}
    ended = _this_attempt(run).update(
        status=status, failure_message=message, finished_at=now, heartbeat_at=now, **values
    )
    if ended:
        run.status, run.failure_message, run.finished_at, run.heartbeat_at = status, message, now, now
    else:
        logger.info(
            "%s %s: attempt %s superseded; its end is not recorded", run._meta.label_lower, run.pk, run.attempts
        )
    return bool(ended)


def job_finish(run: JobRun, *, extra_fields: tuple[str, ...] = ()) -> bool:
    """Mark this attempt's job done. `extra_fields`: the job's own fields to save with it.
    False when another attempt owns the job now (nothing is written)."""
    return _end(run, JobStatus.DONE, "", extra_fields)


def job_fail(run: JobRun, *, message: str, extra_fields: tuple[str, ...] = ()) -> bool:
    """Mark this attempt's job failed with a message people can act on (shown on its page)."""
    return _end(run, JobStatus.FAILED, message, extra_fields)


def job_requeue(run: JobRun, *, reset_attempts: bool) -> JobRun:
    """Queue the job again and send its task after commit. The caller holds the row lock and has
    checked the permission (a retry) or is the sweeper (a resume)."""
    run.status = JobStatus.QUEUED
    run.heartbeat_at = timezone.now()
    run.finished_at = None
    run.failure_message = ""
    if reset_attempts:
        run.attempts = 0
    run.save(update_fields=["status", "heartbeat_at", "finished_at", "failure_message", "attempts"])
    enqueue_on_commit(job_kind_of(type(run)).task, run.pk)
    return run


def jobs_sweep() -> dict[str, int]:
    """Find the registered jobs whose worker went quiet and resume or fail them.

    - running, no heartbeat for QMS_JOB_STALE_SECONDS: queued again (a resumable job continues
      from its last committed step) while it has attempts left, else failed with a message;
    - queued, untouched for QMS_JOB_QUEUED_STALE_SECONDS (its task was never sent, or lost):
      the task is sent again. A duplicate message is harmless: `job_claim` ignores it.
    """
    now = timezone.now()
    stale = _stale_cutoff(now)
    queued_stale = now - timedelta(seconds=settings.QMS_JOB_QUEUED_STALE_SECONDS)
    counts = {"resumed": 0, "failed": 0, "resent": 0}
    for kind in registered_jobs():
        model = kind.model
        quiet_running = Q(status=JobStatus.RUNNING) & (Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True))
        # A queued row never touched (no heartbeat yet) counts from its creation: a pack requested
        # a moment ago was re-sent at the next sweep, and two workers built it at once.
        quiet_queued = Q(status=JobStatus.QUEUED) & (
            Q(heartbeat_at__lt=queued_stale) | Q(heartbeat_at__isnull=True, created_at__lt=queued_stale)
        )
        with transaction.atomic():
            # skip_locked: a row a worker is claiming right now is left to that worker.
            for run in model.objects.select_for_update(skip_locked=True).filter(quiet_running | quiet_queued):
                if run.status == JobStatus.QUEUED:
                    run.heartbeat_at = now  # next resend after another full wait
                    run.save(update_fields=["heartbeat_at"])
                    enqueue_on_commit(kind.task, run.pk)
                    counts["resent"] += 1
                elif kind.resumable and run.attempts < settings.QMS_JOB_MAX_ATTEMPTS:
                    logger.warning(
                        "%s %s: worker went quiet; resuming (attempt %s)", kind.model_label, run.pk, run.attempts + 1
                    )
                    job_requeue(run, reset_attempts=False)
                    counts["resumed"] += 1
                else:
                    message = GAVE_UP.format(n=run.attempts) if kind.resumable else STOPPED
                    logger.warning("%s %s: worker went quiet; failed", kind.model_label, run.pk)
                    _finish(run, JobStatus.FAILED, message, now)
                    counts["failed"] += 1
    return counts


def jobs_stuck_count() -> int:
    """Rows still running with no heartbeat long after the sweeper should have acted: a sign the
    sweeper (beat) or every worker is down. /readyz reports it."""
    cutoff = timezone.now() - timedelta(seconds=2 * settings.QMS_JOB_STALE_SECONDS + 120)
    return sum(
        kind.model.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff).count()
        for kind in registered_jobs()
    )
