"""Every read of the CAPA app, scoped to the user's teams. Another team's record is NotFound."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, Model, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.permissions import team_ids_of
from core.exceptions import NotFound

from .models import ActionItem, CorrectiveAction, EffectivenessCheck, Nonconformity
from .workflow import ACTIVE, FINAL, NCStatus, Status

BOARD_FINAL_DAYS = 90
BOARD_COLUMN_LIMIT = 50


# --- nonconformities ---------------------------------------------------------------------------


def nonconformity_list_for(user, *, team_ids: set[int] | None = None) -> QuerySet[Nonconformity]:
    teams = team_ids_of(user) if team_ids is None else team_ids & team_ids_of(user)
    return Nonconformity.objects.filter(team_id__in=teams).select_related(
        "team", "detected_by", "corrective_action", "source_type"
    )


def nonconformity_get_for(user, nonconformity_id: int) -> Nonconformity:
    nc = (
        nonconformity_list_for(user)
        .select_related("decided_by")
        .prefetch_related("containments__recorded_by", "source")
        .filter(pk=nonconformity_id)
        .first()
    )
    if nc is None:
        raise NotFound("No such nonconformity.")
    return nc


def nonconformities_raised_by(user, *, model: type[Model], ids) -> QuerySet[Nonconformity]:
    """The NCs that records of ``model`` with these ids raised (a post's defects, say), scoped to
    the user: how another app lists what it raised without reading capa's tables itself."""
    source_type = ContentType.objects.get_for_model(model)
    return (
        nonconformity_list_for(user)
        .filter(source_type=source_type, source_id__in=list(ids))
        .order_by("detected_at", "id")
    )


def similar_open_nonconformities(
    user, *, team_id: int, category: str, exclude_id: int | None = None, limit: int = 10
) -> QuerySet[Nonconformity]:
    """Open NCs of the same team and category: shown when raising, so duplicates are linked."""
    qs = nonconformity_list_for(user).filter(team_id=team_id, category=category).exclude(status=NCStatus.CLOSED)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.order_by("-detected_at", "-id")[:limit]


def nonconformity_filtered(user, *, team_ids, filters: dict) -> QuerySet[Nonconformity]:
    qs = nonconformity_list_for(user, team_ids=team_ids)
    for field in ("status", "severity", "source_kind", "category"):
        if filters.get(field):
            qs = qs.filter(**{field: filters[field]})
    if filters.get("team"):
        qs = qs.filter(team_id=filters["team"])
    return qs.order_by("-detected_at", "-id")


# --- corrective actions ------------------------------------------------------------------------


def _with_markers(qs: QuerySet[CorrectiveAction], today) -> QuerySet[CorrectiveAction]:
    """Annotate the overdue markers in the same query: open items past due, checks past due."""
    overdue_item = ActionItem.objects.filter(corrective_action=OuterRef("pk"), done_at__isnull=True, due_date__lt=today)
    overdue_check = EffectivenessCheck.objects.filter(corrective_action=OuterRef("pk"), result="", due_date__lt=today)
    return qs.annotate(
        has_overdue_item=Exists(overdue_item),
        has_overdue_check=Exists(overdue_check),
        item_count=Count("items", distinct=True),
        items_done=Count("items", filter=Q(items__done_at__isnull=False), distinct=True),
    )


def capa_list_for(user, *, team_ids: set[int] | None = None) -> QuerySet[CorrectiveAction]:
    teams = team_ids_of(user) if team_ids is None else team_ids & team_ids_of(user)
    return CorrectiveAction.objects.filter(team_id__in=teams).select_related("team", "owner")


def capa_get_for(user, capa_id: int) -> CorrectiveAction:
    capa = (
        capa_list_for(user)
        .select_related("closed_by", "opened_by", "follows")
        .prefetch_related(
            Prefetch(
                "nonconformities",
                queryset=Nonconformity.objects.select_related("source_type", "detected_by")
                .prefetch_related("source")  # the page shows each source: one query per source type
                .order_by("id"),
            ),
            Prefetch("items", queryset=ActionItem.objects.select_related("owner", "done_by", "created_by")),
            Prefetch("checks", queryset=EffectivenessCheck.objects.select_related("checked_by", "created_by")),
        )
        .filter(pk=capa_id)
        .first()
    )
    if capa is None:
        raise NotFound("No such corrective action.")
    return capa


def action_item_get_for(user, item_id: int) -> ActionItem:
    item = (
        ActionItem.objects.filter(pk=item_id, corrective_action__team_id__in=team_ids_of(user))
        .select_related("corrective_action", "owner", "done_by")
        .first()
    )
    if item is None:
        raise NotFound("No such action item.")
    return item


def capa_filtered(user, *, team_ids, filters: dict, now: datetime | None = None) -> QuerySet[CorrectiveAction]:
    today = timezone.localdate(now or timezone.now())
    qs = _with_markers(capa_list_for(user, team_ids=team_ids), today)
    if filters.get("team"):
        qs = qs.filter(team_id=filters["team"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("owner"):
        qs = qs.filter(owner_id=filters["owner"])
    if filters.get("source_kind"):
        qs = qs.filter(
            Exists(Nonconformity.objects.filter(corrective_action=OuterRef("pk"), source_kind=filters["source_kind"]))
        )
    if filters.get("overdue"):
        qs = qs.filter(Q(has_overdue_item=True) | Q(has_overdue_check=True)).exclude(status__in=FINAL)
    return qs.order_by("-opened_at", "-id")


@dataclass
class BoardColumn:
    status: str
    label: str
    cards: list
    more: int


def capa_board(user, *, team_ids, now: datetime | None = None) -> list[BoardColumn]:
    """Columns by status. Active CAPAs all; closed and cancelled ones of the last 90 days.
    A fixed number of queries however many cards."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    since = now - timedelta(days=BOARD_FINAL_DAYS)
    qs = (
        _with_markers(capa_list_for(user, team_ids=team_ids), today)
        .filter(
            Q(status__in=ACTIVE)
            | Q(status=Status.CLOSED, closed_at__gte=since)
            | Q(status=Status.CANCELLED, cancelled_at__gte=since)
        )
        .order_by("opened_at", "id")
    )
    by_status: dict[str, list] = {s: [] for s in Status.values}
    for capa in qs:
        by_status[capa.status].append(capa)
    return [
        BoardColumn(
            status=s,
            label=Status(s).label,
            cards=by_status[s][:BOARD_COLUMN_LIMIT],
            more=max(0, len(by_status[s]) - BOARD_COLUMN_LIMIT),
        )
        for s in Status.values
    ]


def capa_owners_for(user) -> list:
    from accounts.models import User

    owner_ids = capa_list_for(user).values("owner_id")
    return list(User.objects.filter(pk__in=owner_ids).order_by("first_name", "last_name", "username"))


def open_capas_of_team(user, *, team_id: int) -> QuerySet[CorrectiveAction]:
    return capa_list_for(user).filter(team_id=team_id).exclude(status__in=FINAL).order_by("reference")


# --- due and overdue (reminders, the daily effectiveness job, markers) --------------------------


def overdue_action_items(now: datetime) -> QuerySet[ActionItem]:
    """Open action items past their due date in CAPAs that are still active. Not user-scoped:
    for jobs (reminders, escalation to the team lead)."""
    return (
        ActionItem.objects.filter(done_at__isnull=True, due_date__lt=timezone.localdate(now))
        .exclude(corrective_action__status__in=FINAL)
        .select_related("corrective_action__team", "owner")
        .order_by("due_date", "id")
    )


def due_effectiveness_checks(now: datetime) -> QuerySet[EffectivenessCheck]:
    """Checks waiting for a result whose due date has come (the daily job evaluates the measured
    ones; the others are reminders)."""
    return (
        EffectivenessCheck.objects.filter(result="", due_date__lte=timezone.localdate(now))
        .filter(corrective_action__status=Status.VERIFYING)
        .select_related("corrective_action__team", "corrective_action__owner")
        .order_by("due_date", "id")
    )


def overdue_effectiveness_checks(now: datetime) -> QuerySet[EffectivenessCheck]:
    return due_effectiveness_checks(now).filter(due_date__lt=timezone.localdate(now))


# --- dashboard ---------------------------------------------------------------------------------


def dashboard_panel(request) -> dict:
    from accounts.selectors import active_team_ids
    from core.views.helpers import active_team_id

    teams = active_team_ids(request.user, active_team_id(request))
    counts = capa_list_for(request.user, team_ids=teams).aggregate(
        active=Count("id", filter=~Q(status__in=FINAL)),
        verifying=Count("id", filter=Q(status=Status.VERIFYING)),
    )
    overdue_items = overdue_action_items(timezone.now()).filter(corrective_action__team_id__in=teams)
    open_ncs = nonconformity_list_for(request.user, team_ids=teams).filter(status=NCStatus.OPEN)
    return {
        "template": "capa/_dashboard_panel.html",
        "active": counts["active"],
        "verifying": counts["verifying"],
        "overdue_items": overdue_items.count(),
        "open_ncs": open_ncs.count(),
    }


# --- management review -------------------------------------------------------------------------


def period_summary(*, team_id: int, start: datetime, end: datetime) -> dict:
    """Counts for a management review (ISO 9001 9.3.2 c): nonconformities and corrective actions
    of a team in [start, end), and what is open now. The caller has checked the team is visible."""
    ncs = Nonconformity.objects.filter(team_id=team_id)
    raised = ncs.filter(detected_at__gte=start, detected_at__lt=end)
    capas = CorrectiveAction.objects.filter(team_id=team_id)
    checks = EffectivenessCheck.objects.filter(
        corrective_action__team_id=team_id, checked_at__gte=start, checked_at__lt=end
    )
    return {
        "nc_raised": raised.count(),
        "nc_raised_by_source": dict(
            raised.values_list("source_kind")
            .annotate(n=Count("id"))
            .order_by("source_kind")
            .values_list("source_kind", "n")
        ),
        "nc_raised_by_category": dict(
            raised.values_list("category").annotate(n=Count("id")).order_by("category").values_list("category", "n")
        ),
        "nc_open": ncs.exclude(status=NCStatus.CLOSED).count(),
        "capa_opened": capas.filter(opened_at__gte=start, opened_at__lt=end).count(),
        "capa_closed": capas.filter(closed_at__gte=start, closed_at__lt=end).count(),
        "capa_open": capas.filter(status__in=ACTIVE).count(),
        "checks_effective": checks.filter(result="effective").count(),
        "checks_not_effective": checks.filter(result="not_effective").count(),
        "action_items_overdue": ActionItem.objects.filter(
            corrective_action__team_id=team_id,
            corrective_action__status__in=ACTIVE,
            done_at=None,
            due_date__lt=timezone.localdate(),
        ).count(),
    }
