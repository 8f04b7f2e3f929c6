"""The audit life cycle, as data (ISO 9001 9.2): planned → in progress → reporting → closed.

An audit may be cancelled, with a reason, while it is planned or in progress. Closed is a signed
step by the lead auditor and freezes the audit: no answer, finding or evidence changes afterwards.
"""

from django.db import models

from core.exceptions import TransitionNotAllowed
from core.workflow import assert_transition as _assert_transition


class Status(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    REPORTING = "reporting", "Reporting"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PLANNED: frozenset({Status.IN_PROGRESS, Status.CANCELLED}),
    Status.IN_PROGRESS: frozenset({Status.REPORTING, Status.CANCELLED}),
    # Reporting goes forward only: a finding found while writing the report is recorded there.
    Status.REPORTING: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
    Status.CANCELLED: frozenset(),
}

FINAL = frozenset({Status.CLOSED, Status.CANCELLED})
# While the audit is being done or reported: answers, findings and evidence may change.
WORKING = frozenset({Status.IN_PROGRESS, Status.REPORTING})


def assert_transition(current: str, target: str) -> None:
    _assert_transition(TRANSITIONS, current, target)


def allowed_targets(current: str) -> frozenset[str]:
    return TRANSITIONS.get(current, frozenset())


def ensure_working(status: str, what: str = "change") -> None:
    """Answers, findings and evidence change only while the audit is in progress or reporting."""
    if status not in WORKING:
        raise TransitionNotAllowed(status, what, f"The audit is {status}: its records can't change.")
