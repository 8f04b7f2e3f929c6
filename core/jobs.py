"""Background job rows: the registry the sweeper reads, and the heartbeat a running job keeps.

An app with a job model (a subclass of `core.models.JobRun`) registers it in its
`AppConfig.ready()`:

    from core.jobs import register_job
    register_job("post_reviews.ImportRun", task="post_reviews.tasks.import_run_execute")

`task` is the dotted path of the Celery task that takes the row's id and runs the job through
`core.services.job_claim`. `resumable=True` says that running the task again continues the job
safely (it is idempotent, and skips what an earlier attempt committed); a job that isn't is
failed by the sweeper instead of resumed. See docs/operations.md, "Background jobs".
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("qms.jobs")


@dataclass(frozen=True)
class JobKind:
    model_label: str  # "app_label.ModelName"
    task_path: str
    resumable: bool = True

    @property
    def model(self):
        return apps.get_model(self.model_label)

    @property
    def task(self):
        return import_string(self.task_path)


class JobSuperseded(Exception):
    """This worker's attempt no longer owns the job (the sweeper gave it to another worker): stop
    without writing. Raised by `core.services.job_touch`."""


_REGISTRY: dict[str, JobKind] = {}


def register_job(model_label: str, *, task: str, resumable: bool = True) -> JobKind:
    kind = JobKind(model_label=model_label, task_path=task, resumable=resumable)
    _REGISTRY[model_label.lower()] = kind
    return kind


def registered_jobs() -> list[JobKind]:
    return list(_REGISTRY.values())


def job_kind_of(model) -> JobKind:
    return _REGISTRY[model._meta.label_lower]


@contextmanager
def heartbeat(model, pk: int, *, attempt: int, every: float | None = None) -> Iterator[None]:
    """Touch the running row's `heartbeat_at` every few seconds from a timer thread while the
    block runs, so a long step (parsing a big file, rendering a PDF) still shows a live worker.
    A killed worker stops the timer with it, which is what the sweeper looks for. Jobs also touch
    the row after each committed step (`core.services.job_touch`)."""
    from core.models import JobStatus

    interval = every or settings.QMS_JOB_HEARTBEAT_SECONDS
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(interval):
                alive = model.objects.filter(pk=pk, status=JobStatus.RUNNING, attempts=attempt)
                if not alive.update(heartbeat_at=timezone.now()):
                    return  # finished, or superseded by another attempt
        except Exception:  # a lost heartbeat must not break the job; the sweeper may then resume it
            logger.warning("heartbeat of %s %s stopped", model._meta.label_lower, pk, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, daemon=True, name=f"heartbeat-{model._meta.model_name}-{pk}")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)
