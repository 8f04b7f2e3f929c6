"""Every read of the audits app, scoped to the user. An audit the user may not see is NotFound.

Planners see every audit of their teams; auditors the audits they are assigned to (while they
still hold an auditor's right in the programme's team); auditees the audits of their teams.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects

from accounts.permissions import team_ids_with_right
from accounts.roles import Right
from core.exceptions import NotFound

from .models import (
    Answer,
    Audit,
    AuditProgramme,
    AuditQuestion,
    AuditType,
    BankQuestion,
    Classification,
    Evidence,
    Finding,
    IndependenceOverride,
)
from .workflow import FINAL, Status


def _visible_q(user) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    plan = team_ids_with_right(user, Right.AUDIT_PLAN)
    run = team_ids_with_right(user, Right.AUDIT_RUN) | plan
    respond = team_ids_with_right(user, Right.AUDIT_RESPOND)
    assigned = Audit.auditors.through.objects.filter(audit_id=OuterRef("pk"), user_id=user.pk)
    audited = Audit.audited_teams.through.objects.filter(audit_id=OuterRef("pk"), team_id__in=respond)
    q = Q(team_id__in=plan) | Q(team_id__in=run) & (Q(lead_auditor_id=user.pk) | Q(Exists(assigned)))
    if respond:
        q |= Q(team_id__in=respond) | Q(Exists(audited))
    return q


def audit_list_for(user) -> QuerySet[Audit]:
    return Audit.objects.filter(_visible_q(user)).select_related("team", "programme", "lead_auditor")


def audit_list_page(user, *, filters: dict | None = None) -> QuerySet[Audit]:
    """The list, filtered. The finding counts are added per page (``with_finding_counts``): a
    count joined into this query would group every visible audit's findings (100,000 at scale)
    before the page is cut, and the paginator's COUNT would do it again."""
    qs = audit_list_for(user)
    filters = filters or {}
    for field in ("status", "audit_type"):
        if filters.get(field):
            qs = qs.filter(**{field: filters[field]})
    if filters.get("programme"):
        qs = qs.filter(programme_id=filters["programme"])
    if filters.get("team"):
        qs = qs.filter(team_id=filters["team"])
    return qs


AUDIT_PAGE = 25


def audit_list_keyset(qs: QuerySet[Audit], *, after: tuple[date, int] | None, limit: int) -> list[Audit]:
    """A page of audits, latest planned start first, keyset-paged on (planned_start, id) DESC:
    read from the ``audits_list_order_idx`` index at any depth, and no COUNT of every visible
    audit. The keyset is two index range scans (the rest of this start day, then earlier days):
    one OR-ed condition can't be an index condition."""
    qs = qs.order_by("-planned_start", "-id")
    if after is None:
        return list(qs[:limit])
    start, last_id = after
    page = list(qs.filter(planned_start=start, id__lt=last_id)[:limit])
    if len(page) < limit:
        page += list(qs.filter(planned_start__lt=start)[: limit - len(page)])
    return page


def with_finding_counts(audits) -> list[Audit]:
    """``finding_count`` and ``nc_count`` on each audit of a page, in one grouped query over
    that page's audits only (the findings' audit index)."""
    audits = list(audits)
    counts = {
        row["audit_id"]: row
        for row in Finding.objects.filter(audit_id__in=[a.pk for a in audits])
        .values("audit_id")
        .annotate(
            n=Count("id"),
            nc=Count("id", filter=Q(classification__in=[Classification.MAJOR_NC, Classification.MINOR_NC])),
        )
        .order_by()
    }
    for audit in audits:
        row = counts.get(audit.pk, {})
        audit.finding_count, audit.nc_count = row.get("n", 0), row.get("nc", 0)
    return audits


def _detail_prefetch(qs: QuerySet[Audit]) -> QuerySet[Audit]:
    return qs.select_related("closed_signature", "account", "sampling_lot", "created_by").prefetch_related(
        "audited_teams",
        "auditors",
        "auditees",
        "documents",
        Prefetch(
            "independence_overrides",
            queryset=IndependenceOverride.objects.select_related("signed_by", "signature"),
        ),
    )


def audit_get_for(user, audit_id: int) -> Audit:
    audit = _detail_prefetch(audit_list_for(user)).filter(pk=audit_id).first()
    if audit is None:
        raise NotFound("No such audit.")
    return audit


def audit_lock(audit_id: int) -> Audit:
    """The audit row locked for a write, with the people and teams the predicates ask about."""
    audit = Audit.objects.select_for_update().filter(pk=audit_id).first()
    if audit is None:
        raise NotFound("No such audit.")
    prefetch_related_objects([audit], "auditors", "audited_teams", "auditees")
    return audit


def previous_audit(audit: Audit) -> Audit | None:
    """The audit of the same programme and type before this one (what the checklist copies from)."""
    return (
        Audit.objects.filter(programme_id=audit.programme_id, audit_type=audit.audit_type)
        .exclude(pk=audit.pk)
        .exclude(status=Status.CANCELLED)
        .filter(Q(planned_start__lt=audit.planned_start) | Q(planned_start=audit.planned_start, pk__lt=audit.pk))
        .order_by("-planned_start", "-id")
        .first()
    )


def questions_of(audit: Audit) -> list[AuditQuestion]:
    """The checklist with each question's answer and the answer's evidence, in a fixed number of queries."""
    return list(
        AuditQuestion.objects.filter(audit=audit)
        .select_related("answer__answered_by", "bank_question")
        .prefetch_related(
            Prefetch("answer__evidence", queryset=Evidence.objects.select_related("attachment", "added_by"))
        )
        .order_by("order", "id")
    )


def question_get(audit: Audit, question_id: int) -> AuditQuestion:
    question = AuditQuestion.objects.filter(audit=audit, pk=question_id).select_related("answer").first()
    if question is None:
        raise NotFound("No such question in this audit.")
    return question


def answers_of(audit: Audit) -> QuerySet[Answer]:
    return (
        Answer.objects.filter(audit=audit)
        .select_related("question", "answered_by")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.select_related("attachment")))
        .order_by("question__order", "id")
    )


def finding_list_for(user) -> QuerySet[Finding]:
    return Finding.objects.filter(audit__in=audit_list_for(user).values("pk")).select_related(
        "audit", "team", "nonconformity", "created_by"
    )


FINDING_PAGE = 50


def finding_list_page(user, *, filters: dict | None = None, after: int | None = None) -> list[Finding]:
    """One page of the finding list, newest first, keyset-paged on the id (``after`` the last id
    shown): any page costs the same however deep, and no COUNT walks 100,000 findings.
    One row more than the page is returned so the caller knows whether there is a next page."""
    filters = filters or {}
    qs = finding_list_for(user).order_by("-id")
    if filters.get("classification"):
        qs = qs.filter(classification=filters["classification"])
    if filters.get("awaiting"):
        qs = qs.filter(auditee_response="", audit__status__in=[Status.IN_PROGRESS, Status.REPORTING])
    if after is not None:
        qs = qs.filter(id__lt=after)
    return list(qs[: FINDING_PAGE + 1])


def finding_get_for(user, finding_id: int) -> Finding:
    finding = (
        finding_list_for(user)
        .select_related("question", "responded_by", "nonconformity__corrective_action", "audit__lead_auditor")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.select_related("attachment", "added_by")))
        .filter(pk=finding_id)
        .first()
    )
    if finding is None:
        raise NotFound("No such finding.")
    return finding


def findings_of(audit: Audit) -> list[Finding]:
    findings = list(
        Finding.objects.filter(audit=audit)
        .select_related("nonconformity", "team", "question")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.select_related("attachment")))
        .order_by("number")
    )
    for finding in findings:
        finding.audit = audit  # the reference is the audit's: no query per finding
    return findings


def findings_by_classification(findings: list[Finding]) -> list[dict]:
    counts = Counter(f.classification for f in findings)
    return [
        {"classification": c.value, "label": c.label, "count": counts.get(c.value, 0), "items": []}
        | {"items": [f for f in findings if f.classification == c.value]}
        for c in Classification
    ]


def programme_list_for(user) -> QuerySet[AuditProgramme]:
    """Programmes of the teams where the user plans, or where they may see an audit."""
    visible = audit_list_for(user).filter(programme_id=OuterRef("pk"))
    plan = team_ids_with_right(user, Right.AUDIT_PLAN)
    return AuditProgramme.objects.filter(Q(team_id__in=plan) | Q(Exists(visible))).select_related("team", "owner")


def programme_get_for(user, programme_id: int) -> AuditProgramme:
    programme = programme_list_for(user).filter(pk=programme_id).first()
    if programme is None:
        raise NotFound("No such audit programme.")
    return programme


def programme_calendar(user, programme: AuditProgramme) -> list[dict]:
    """Twelve months of the programme's year, each with the audits (visible to the user) planned to start in it."""
    audits = list(audit_list_for(user).filter(programme=programme).order_by("planned_start", "id"))
    months = []
    for month in range(1, 13):
        first = date(programme.year, month, 1)
        months.append(
            {
                "month": first,
                "audits": [
                    a for a in audits if a.planned_start.year == programme.year and a.planned_start.month == month
                ],
            }
        )
    return months


def bank_team_ids(user) -> set[int]:
    """Teams whose question bank the user may read: where they plan or run audits."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return team_ids_with_right(user, Right.AUDIT_PLAN) | team_ids_with_right(user, Right.AUDIT_RUN)


def bank_for(user, team_ids: set[int]) -> QuerySet[BankQuestion]:
    """What the checklist builder offers: the active (never a retired) bank questions of the
    given teams the user may plan or run audits in."""
    return BankQuestion.objects.filter(team_id__in=team_ids & bank_team_ids(user), active=True).select_related(
        "document"
    )


def bank_list_for(
    user, *, team_id: int | None = None, clause: str = "", search: str = "", active: bool | None = True
) -> QuerySet[BankQuestion]:
    """The bank page and API: the user's teams' questions, by clause then id. ``clause`` matches
    the clause and its sub-clauses (``7.5`` finds ``7.5`` and ``7.5.3``); ``search`` the question
    and guidance text; ``active`` None gives retired questions too."""
    qs = BankQuestion.objects.filter(team_id__in=bank_team_ids(user)).select_related("team", "document")
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if active is not None:
        qs = qs.filter(active=active)
    if clause:
        qs = qs.filter(Q(clause=clause) | Q(clause__startswith=f"{clause}."))
    if search:
        qs = qs.filter(Q(question__icontains=search) | Q(guidance__icontains=search))
    return qs


def bank_question_get_for(user, question_id: int) -> BankQuestion:
    item = (
        BankQuestion.objects.filter(pk=question_id, team_id__in=bank_team_ids(user))
        .select_related("team", "document", "created_by")
        .first()
    )
    if item is None:
        raise NotFound("No such question.")
    return item


def audits_of_auditor(user, *, limit: int = 10) -> list[Audit]:
    """The audits the user is assigned to and that are not final: the dashboard's "My audits"."""
    assigned = Audit.auditors.through.objects.filter(audit_id=OuterRef("pk"), user_id=user.pk)
    return list(
        audit_list_for(user)
        .filter(Q(lead_auditor_id=user.pk) | Q(Exists(assigned)))
        .exclude(status__in=FINAL)
        .order_by("planned_start", "id")[:limit]
    )


def dashboard_panel(request) -> dict | None:
    from . import permissions as perms

    if not perms.can_see_audits(request.user):
        return None
    return {
        "template": "audits/_dashboard_panel.html",
        "my_audits": audits_of_auditor(request.user),
        "open_count": audit_list_for(request.user).exclude(status__in=FINAL).count(),
    }


TYPE_LABELS = dict(AuditType.choices)


PICKER_LIMIT = 50


def evidence_choices(user, audit: Audit) -> list[tuple[str, list[tuple[str, str]]]]:
    """Records of the audited teams the user may see, grouped for a picker: ``("kind:id", label)``.
    Each list comes from its app's own scoped selector, newest first and bounded."""
    from capa.selectors import capa_list_for, nonconformity_list_for
    from docs_control.selectors import version_list_for
    from post_reviews.selectors import lot_list_for, review_list_for

    teams = {t.pk for t in audit.audited_teams.all()}
    versions = version_list_for(user).filter(document__team_id__in=teams).order_by("-id")[:PICKER_LIMIT]
    reviews = review_list_for(user).filter(team_id__in=teams).order_by("-id")[:PICKER_LIMIT]
    lots = lot_list_for(user).filter(team_id__in=teams).order_by("-id")[:PICKER_LIMIT]
    ncs = nonconformity_list_for(user, team_ids=teams).order_by("-id")[:PICKER_LIMIT]
    capas = capa_list_for(user, team_ids=teams).order_by("-id")[:PICKER_LIMIT]
    return [
        (
            "Document versions",
            [
                (f"document_version:{v.pk}", f"{v.document.number} v{v.label} ({v.get_status_display()})")
                for v in versions
            ],
        ),
        ("Post reviews", [(f"post_review:{r.pk}", f"Review {r.pk} · {r.post.account} · {r.outcome}") for r in reviews]),
        ("Sampling lots", [(f"sampling_lot:{lot.pk}", f"{lot} ({lot.get_status_display()})") for lot in lots]),
        ("Nonconformities", [(f"nonconformity:{nc.pk}", str(nc)) for nc in ncs]),
        ("Corrective actions", [(f"capa:{c.pk}", str(c)) for c in capas]),
    ]


def previous_findings(audit: Audit) -> list[Finding]:
    """The previous audit's findings with their nonconformities: the report's follow-up section."""
    previous = previous_audit(audit)
    if previous is None:
        return []
    return list(
        Finding.objects.filter(audit=previous)
        .select_related("audit", "nonconformity__corrective_action")
        .order_by("number")
    )


def audit_period_summary(*, team_id: int, start, end) -> dict:
    """Audits of a team's programmes closed in a period, and their findings by classification:
    the audit results a management review reads (ISO 9001 9.3.2 c 6)."""
    closed = Audit.objects.filter(
        programme__team_id=team_id, status=Status.CLOSED, closed_at__date__gte=start, closed_at__date__lte=end
    )
    counts = dict(
        Finding.objects.filter(audit__in=closed).values_list("classification").annotate(n=Count("id")).order_by()
    )
    return {
        "audits_closed": closed.count(),
        "references": list(closed.order_by("reference").values_list("reference", flat=True)),
        "findings": [
            {"classification": str(label), "count": counts.get(value, 0)} for value, label in Classification.choices
        ],
    }
