"""What CAPA has due: action items (7 days and 1 day before, on the day, then overdue with
escalation) and effectiveness checks. Read by core's reminder job."""

from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.roles import Role
from accounts.selectors import members_by_team
from core.reminders import BEFORE, Due, escalation_buckets, window_bucket

from .models import ActionItem, EffectivenessCheck
from .workflow import FINAL


def due_reminders(today: date):
    horizon = today + timedelta(days=max(BEFORE))
    items = list(
        ActionItem.objects.filter(done_at__isnull=True, due_date__lte=horizon)
        .exclude(corrective_action__status__in=FINAL)
        .values(
            "pk",
            "owner_id",
            "due_date",
            "description",
            "corrective_action_id",
            "corrective_action__reference",
            "corrective_action__team_id",
            "corrective_action__team__escalate_lead_days",
            "corrective_action__team__escalate_qa_days",
        )
    )
    teams = {i["corrective_action__team_id"] for i in items}
    leads = members_by_team(teams, Role.TEAM_LEAD)
    qa = members_by_team(teams, Role.QA_MANAGER)
    item_type = ContentType.objects.get_for_model(ActionItem).pk
    urls: dict[int, str] = {}  # one reverse() per CAPA, not per item
    for item in items:
        team = item["corrective_action__team_id"]
        capa = item["corrective_action_id"]
        url = urls.get(capa) or urls.setdefault(capa, reverse("capa:capa-detail", args=[capa]))
        what = f"{item['corrective_action__reference']}: {item['description'][:120]}"
        bucket = window_bucket(item["due_date"], today)
        if bucket is None:
            continue
        if bucket != "overdue":
            yield Due(
                item["owner_id"],
                "capa_action_item",
                item_type,
                item["pk"],
                bucket,
                f"Action due: {what}",
                url,
                item["due_date"],
            )
            continue
        steps = escalation_buckets(
            item["due_date"],
            today,
            lead_days=item["corrective_action__team__escalate_lead_days"],
            qa_days=item["corrective_action__team__escalate_qa_days"],
        )
        recipients = {
            "overdue": [item["owner_id"]],
            "escalated-lead": leads.get(team, []),
            "escalated-qa": qa.get(team, []),
        }
        for step in steps:
            for person in recipients[step]:
                yield Due(
                    person,
                    "capa_action_item",
                    item_type,
                    item["pk"],
                    step,
                    f"Overdue action: {what}",
                    url,
                    item["due_date"],
                )
    check_type = ContentType.objects.get_for_model(EffectivenessCheck).pk
    checks = (
        EffectivenessCheck.objects.filter(result="", due_date__lte=horizon)
        .exclude(corrective_action__status__in=FINAL)
        .values("pk", "due_date", "corrective_action_id", "corrective_action__owner_id", "corrective_action__reference")
    )
    for check in checks:
        bucket = window_bucket(check["due_date"], today)
        if bucket is not None:
            yield Due(
                check["corrective_action__owner_id"],
                "capa_effectiveness_check",
                check_type,
                check["pk"],
                bucket,
                f"Effectiveness check due: {check['corrective_action__reference']}",
                reverse("capa:capa-detail", args=[check["corrective_action_id"]]),
                check["due_date"],
            )
