"""What document control has due: periodic reviews (owner, from 30 days ahead), acknowledgements
pending over 7 days (the person) and each team's overdue list to its team leads, weekly."""

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accounts.models import Team
from accounts.roles import Role
from accounts.selectors import team_members
from core.reminders import Due

from .models import Acknowledgement, Document
from .workflow import Status

REVIEW_AHEAD_DAYS = 30
ACK_GRACE_DAYS = 7


def due_reminders(today: date):
    document_type = ContentType.objects.get_for_model(Document).pk
    for doc in Document.objects.filter(next_review_due__lte=today + timedelta(days=REVIEW_AHEAD_DAYS)).values(
        "pk", "owner_id", "number", "title", "next_review_due"
    ):
        left = (doc["next_review_due"] - today).days
        bucket = "overdue" if left < 0 else ("due" if left == 0 else f"{REVIEW_AHEAD_DAYS}d")
        yield Due(
            doc["owner_id"],
            "sop_periodic_review",
            document_type,
            doc["pk"],
            bucket,
            f"Periodic review {'overdue' if left < 0 else 'due'}: {doc['number']} {doc['title']}",
            reverse("docs_control:document", args=[doc["pk"]]),
            doc["next_review_due"],
        )

    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=ACK_GRACE_DAYS), time.max))
    pending = list(
        Acknowledgement.objects.filter(
            acknowledged_at__isnull=True, requested_at__lte=cutoff, version__status=Status.EFFECTIVE
        ).values(
            "pk",
            "user_id",
            "version_id",
            "version__major",
            "version__minor",
            "version__document__number",
            "version__document__team_id",
        )
    )
    ack_type = ContentType.objects.get_for_model(Acknowledgement).pk
    for ack in pending:
        yield Due(
            ack["user_id"],
            "sop_acknowledgement_pending",
            ack_type,
            ack["pk"],
            f"pending-{ACK_GRACE_DAYS}d",
            f"Please acknowledge {ack['version__document__number']} v{ack['version__major']}.{ack['version__minor']}",
            reverse("docs_control:version", args=[ack["version_id"]]),
        )

    overdue = Counter(a["version__document__team_id"] for a in pending)
    if overdue:
        week = f"{today.isocalendar().year}-W{today.isocalendar().week:02d}"
        team_type = ContentType.objects.get_for_model(Team).pk
        for team_id, count in overdue.items():
            for lead in team_members(team_id=team_id, roles=(Role.TEAM_LEAD,)).values_list("pk", flat=True):
                yield Due(
                    lead,
                    "sop_acknowledgements_overdue",
                    team_type,
                    team_id,
                    week,
                    f"{count} SOP acknowledgement{'s' if count != 1 else ''} overdue in your team",
                    reverse("docs_control:training"),
                )
