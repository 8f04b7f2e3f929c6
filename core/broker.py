"""The broker and cache may be down: what an action does then.

- Before writing anything that needs a task, a service calls `require_broker()`: with the broker
  unreachable it raises `ServiceUnavailable` (a 503, nothing written).
- Tasks are sent after commit with `enqueue_on_commit(task, *args)` (or the task's own
  `delay_on_commit`, which the project's task class routes here). A broker that fails at that
  moment can't undo the commit: the error is logged at WARNING and the job row stays `queued`
  for `sweep_stale_jobs` to send again. The request still answers with its success.
- A Redis or broker connection error raised inside a service transaction rolls it back and
  becomes a 503 (`core.api.exceptions`, `core.middleware.ServiceUnavailableMiddleware`).
"""

import logging
import time

from celery import current_app
from celery.contrib.django.task import DjangoTask
from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.exceptions import ServiceUnavailable

logger = logging.getLogger("qms.broker")

# What a publish or a cache call raises when Redis or the broker can't be reached.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, RedisConnectionError, RedisTimeoutError)


def require_broker() -> None:
    """Raise ServiceUnavailable unless the broker accepts a connection (2 s at most).

    Skipped when tasks run eagerly (unit tests, no broker involved)."""
    app = current_app
    if app.conf.task_always_eager:
        return
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except (*OUTAGE_ERRORS, OSError) as exc:
        logger.warning("broker unreachable: %s", type(exc).__name__)
        raise ServiceUnavailable("The task queue is unreachable, so this can't be started now.") from exc


RETRY_AFTER_SECONDS = 30


def outage_logged(request, response, exception=None):
    """Finish a 503 answer: Retry-After, and one WARNING line instead of Django's ERROR with the
    response (an outage is an operations event, not a bug; /readyz reports it too)."""
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response._has_been_logged = True  # django.request would log every 5xx at ERROR
    cause = type(exception.__cause__ or exception).__name__ if exception is not None else ""
    logger.warning("503 %s %s: %s", request.method, request.path, cause)
    return response


# After a failed publish, further sends from this process skip the broker for a few seconds: an
# action that queues ten e-mails answers at once instead of waiting out ten connection attempts.
_SKIP_AFTER_FAILURE_SECONDS = 5.0
_broker_down_until = 0.0


def _send(task, args: tuple, kwargs: dict, options: dict) -> bool:
    global _broker_down_until
    if time.monotonic() < _broker_down_until and not current_app.conf.task_always_eager:
        logger.warning("broker down: %s%r not sent; left for the sweeper", task.name, args)
        return False
    try:
        task.apply_async(args=args, kwargs=kwargs, **options)
    except OUTAGE_ERRORS as exc:
        _broker_down_until = time.monotonic() + _SKIP_AFTER_FAILURE_SECONDS
        logger.warning("could not enqueue %s%r (%s); left for the sweeper", task.name, args, type(exc).__name__)
        return False
    return True


def send_quietly(task, *args, **kwargs) -> bool:
    """Send a task now; on a broker outage log a warning and return False instead of raising."""
    return _send(task, args, kwargs, {})


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send ``task(*args, **kwargs)`` after the current transaction commits, never raising for
    a broker outage (the committed action stands; the job row waits for the sweeper)."""
    transaction.on_commit(lambda: _send(task, args, kwargs, {}))


class QmsTask(DjangoTask):
    """The project's task class: `delay_on_commit` and `apply_async_on_commit` keep a broker
    outage from turning a committed action into a 500."""

    def delay_on_commit(self, *args, **kwargs) -> None:
        enqueue_on_commit(self, *args, **kwargs)

    def apply_async_on_commit(self, args=None, kwargs=None, **options) -> None:
        transaction.on_commit(lambda: _send(self, tuple(args or ()), dict(kwargs or {}), options))
