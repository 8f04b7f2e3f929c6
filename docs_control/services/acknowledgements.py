"""Asking people to read an effective version, and their signed acknowledgements (ISO 9001 7.3)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.selectors import team_members
from core.exceptions import PermissionDenied, TransitionNotAllowed
from core.models import Meaning
from core.services import notification_enqueue, notifications_resolve, signature_create
from docs_control import permissions as perms
from docs_control.models import Acknowledgement, DocumentVersion
from docs_control.workflow import Status

from ._common import locked_version

ACKNOWLEDGE = "document_acknowledge"  # the notification kind of a "read and acknowledge" task


def acknowledgements_request(version: DocumentVersion, *, now) -> None:
    """Ask every member of the owning and extra teams, in the caller's transaction."""
    team_ids = [version.document.team_id, *version.extra_teams.values_list("pk", flat=True)]
    people = list(team_members(team_ids=team_ids))
    due = now + timedelta(days=settings.QMS_ACK_DUE_DAYS)
    Acknowledgement.objects.bulk_create(  # not history-tracked: the signature is its record
        [Acknowledgement(version=version, user=u, requested_at=now, due_at=due) for u in people],
        ignore_conflicts=True,  # re-running adds nobody twice
    )
    url = reverse("docs_control:version", args=[version.pk])
    for person in people:
        notification_enqueue(
            recipient=person,
            kind=ACKNOWLEDGE,
            subject=version,
            title=f"Read and acknowledge {version.document.number} v{version.label}: {version.document.title}",
            body=f"Due by {timezone.localtime(due):%Y-%m-%d}.",
            url=url,
        )


@transaction.atomic
def version_acknowledge(*, version_id: int, by: User, password: str) -> Acknowledgement:
    version = locked_version(version_id, by)
    ack = Acknowledgement.objects.select_for_update().filter(version=version, user=by).first()
    if ack is not None and ack.acknowledged_at is not None:
        return ack
    if version.status != Status.EFFECTIVE:
        raise TransitionNotAllowed(
            version.status,
            "acknowledged",
            f"Version {version.label} is not in force: nothing to acknowledge.",
        )
    if ack is None or not perms.can_acknowledge(by, version):
        raise PermissionDenied("You were not asked to acknowledge this version.")
    signature = signature_create(record=version, by=by, password=password, meaning=Meaning.ACKNOWLEDGED)
    ack.acknowledged_at = signature.signed_at
    ack.signature = signature
    ack.save(update_fields=["acknowledged_at", "signature"])
    notifications_resolve(subject=version, kind=ACKNOWLEDGE, recipient=by)
    return ack
