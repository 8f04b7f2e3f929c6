"""Where apps plug in what is due: each registers a provider that lists its due reminders.

A provider ``provider(today)`` yields ``Due`` rows for every item whose reminder window has been
reached, whether or not it was sent before: the outbox's unique (recipient, kind, subject,
bucket) row is what makes each one go out once, so a run that was missed (a worker down all day)
sends it on the next run, and a duplicate beat tick or two workers at once send nothing twice.
Core knows no domain app; each app registers from its ``AppConfig.ready()``.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

# Windows before a due date, in days; each reached window is a bucket of its own.
BEFORE = (7, 1)


@dataclass(frozen=True)
class Due:
    recipient_id: int
    kind: str  # what it is about: "capa_action_item", "sop_periodic_review", ...
    subject_type_id: int  # ContentType id of the record
    subject_id: int
    bucket: str  # "7d", "1d", "due", "overdue", "escalated-lead", "escalated-qa", a period...
    title: str
    url: str = ""
    due_on: date | None = None

    @property
    def overdue(self) -> bool:
        return self.bucket.startswith(("overdue", "escalated"))


_providers: dict[str, Callable[[date], Iterable[Due]]] = {}


def register_reminders(name: str, provider: Callable[[date], Iterable[Due]]) -> None:
    _providers[name] = provider


def reminder_providers() -> list[Callable[[date], Iterable[Due]]]:
    return list(_providers.values())


def window_bucket(due_on: date, today: date, *, before: tuple[int, ...] = BEFORE) -> str | None:
    """The most advanced window reached for an item due on ``due_on``; None before the first.
    Earlier windows a missed run skipped are not sent late: the latest one says more.
    ``before`` gives the windows in days (``(14, 7)`` for audits ahead of their start)."""
    days_left = (due_on - today).days
    if days_left < 0:
        return "overdue"
    if days_left == 0:
        return "due"
    for days in sorted(before):
        if days_left <= days:
            return f"{days}d"
    return None


def escalation_buckets(due_on: date, today: date, *, lead_days: int, qa_days: int) -> list[str]:
    """Overdue steps reached: the owner at once, team leads after ``lead_days``, QA managers after
    ``qa_days``. Each step is its own bucket, so each is sent once."""
    late = (today - due_on).days
    steps = []
    if late >= 1:
        steps.append("overdue")
    if late >= lead_days:
        steps.append("escalated-lead")
    if late >= qa_days:
        steps.append("escalated-qa")
    return steps
