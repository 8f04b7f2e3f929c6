"""Document version statuses and the transitions between them (ISO 9001 7.5.2, 7.5.3).

Services check a move with ``core.workflow.assert_transition(TRANSITIONS, current, target)``.
"""

from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    EFFECTIVE = "effective", "Effective"
    SUPERSEDED = "superseded", "Superseded"
    OBSOLETE = "obsolete", "Obsolete"


TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.IN_REVIEW, Status.OBSOLETE}),
    # in_review → draft is "changes requested".
    Status.IN_REVIEW: frozenset({Status.DRAFT, Status.APPROVED, Status.OBSOLETE}),
    Status.APPROVED: frozenset({Status.EFFECTIVE, Status.OBSOLETE}),
    Status.EFFECTIVE: frozenset({Status.SUPERSEDED, Status.OBSOLETE}),
    Status.SUPERSEDED: frozenset(),
    Status.OBSOLETE: frozenset(),
}

# Once a version leaves draft its body is frozen: what was approved is what is in force.
EDITABLE = frozenset({Status.DRAFT})
