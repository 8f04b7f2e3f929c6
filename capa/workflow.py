"""The CAPA and nonconformity life cycles: the allowed transitions, as data (ISO 9001 10.2)."""

from django.db import models

from core.workflow import allowed_targets as _allowed_targets


class Status(models.TextChoices):
    """Corrective action status."""

    OPEN = "open", "Open"
    INVESTIGATING = "investigating", "Investigating"
    ACTION_PLAN = "action_plan", "Action plan"
    IMPLEMENTING = "implementing", "Implementing"
    VERIFYING = "verifying", "Verifying"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


_CANCEL = frozenset({Status.CANCELLED})

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.OPEN: frozenset({Status.INVESTIGATING}) | _CANCEL,
    Status.INVESTIGATING: frozenset({Status.ACTION_PLAN}) | _CANCEL,
    Status.ACTION_PLAN: frozenset({Status.IMPLEMENTING}) | _CANCEL,
    Status.IMPLEMENTING: frozenset({Status.VERIFYING}) | _CANCEL,
    # A failed effectiveness check sends the CAPA back to implementing, with a reason.
    Status.VERIFYING: frozenset({Status.CLOSED, Status.IMPLEMENTING}) | _CANCEL,
    # Closed is final: a recurrence raises a new NC and a new CAPA linked to this one.
    Status.CLOSED: frozenset(),
    Status.CANCELLED: frozenset(),
}

# Board columns, in order.
ACTIVE = (Status.OPEN, Status.INVESTIGATING, Status.ACTION_PLAN, Status.IMPLEMENTING, Status.VERIFYING)
FINAL = frozenset({Status.CLOSED, Status.CANCELLED})


class NCStatus(models.TextChoices):
    """Nonconformity status."""

    OPEN = "open", "Open"
    IN_CAPA = "in_capa", "In corrective action"
    CLOSED = "closed", "Closed"


NC_TRANSITIONS: dict[str, frozenset[str]] = {
    # Closed directly by a signed "no corrective action needed" decision, or with its CAPA.
    NCStatus.OPEN: frozenset({NCStatus.IN_CAPA, NCStatus.CLOSED}),
    # Back to open when its CAPA is cancelled.
    NCStatus.IN_CAPA: frozenset({NCStatus.OPEN, NCStatus.CLOSED}),
    NCStatus.CLOSED: frozenset(),
}


def allowed_targets(current: str) -> frozenset[str]:
    return _allowed_targets(TRANSITIONS, current)


def available_steps(capa, *, items, checks) -> frozenset[str]:
    """The steps a CAPA offers in its current state (who may take them is checked apart).

    The detail page shows exactly these; the services refuse the others, and a test walks every
    stage to hold the two together. ``items`` and ``checks`` are the CAPA's, already loaded.
    """
    status = capa.status
    steps: set[str] = set()
    if status == Status.OPEN:
        steps.add("start-investigation")
    if status in (Status.INVESTIGATING, Status.ACTION_PLAN):
        steps.add("root-cause")
    if status == Status.INVESTIGATING and capa.root_cause:
        steps.add("plan")
    if status in (Status.ACTION_PLAN, Status.IMPLEMENTING):
        steps.add("items")
    if status == Status.ACTION_PLAN and items:
        steps.add("implement")
    if status == Status.IMPLEMENTING and items and all(item.done_at for item in items):
        steps.add("start-verification")
    if status == Status.VERIFYING and checks:
        last = checks[-1]
        if not last.result:
            steps.add("verify")
        elif last.result == "effective":  # CheckResult.EFFECTIVE
            steps.add("close")
    if status not in FINAL:
        steps.add("cancel")
    return frozenset(steps)
