"""Start-up checks: the background-job timings must nest (docs/operations.md, "Background jobs")."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def job_timings(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    soft, hard = settings.CELERY_TASK_SOFT_TIME_LIMIT, settings.CELERY_TASK_TIME_LIMIT
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {}
    visibility = options.get("visibility_timeout")
    if not soft < hard:
        errors.append(Error("CELERY_TASK_SOFT_TIME_LIMIT must be below CELERY_TASK_TIME_LIMIT.", id="qms.E101"))
    if visibility is not None and not hard < visibility:
        errors.append(
            Error(
                "The broker's visibility_timeout must be above CELERY_TASK_TIME_LIMIT, or Redis hands a "
                "running task to a second worker.",
                id="qms.E102",
            )
        )
    if not settings.QMS_JOB_STALE_SECONDS >= 2 * settings.QMS_JOB_HEARTBEAT_SECONDS:
        errors.append(
            Error(
                "QMS_JOB_STALE_SECONDS must be at least twice QMS_JOB_HEARTBEAT_SECONDS, or live jobs look dead.",
                id="qms.E103",
            )
        )
    return errors
