"""What goes into an evidence pack: the audit's own records and, read through the other apps'
selectors (scoped to the person exporting), the records of the audited scope and period.

Each table is a header and a lazy row iterator, written by core's formula-safe CSV writer.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Prefetch, Q
from django.utils import timezone

from .. import models as m

Table = tuple[list[str], Iterable[list]]


def _when(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _name(user) -> str:
    return user.printed_name if user is not None else ""


@dataclass
class Scope:
    """The audit, who exports, and the teams and period the pack covers."""

    audit: m.Audit
    user: object
    team_ids: set[int]
    document_ids: set[int]
    start: date
    end: date
    evidence: list = field(default_factory=list)

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end, time.max))


def scope_of(audit: m.Audit, user) -> Scope:
    team_ids = {t.pk for t in audit.audited_teams.all()} or {audit.team_id}
    start = audit.period_start or audit.actual_start or audit.planned_start
    end = audit.period_end or audit.actual_end or audit.planned_end
    # The pack reads the attachment and the evidence row's own columns, nothing else of it: one
    # related object a row, not five (2,000 attachments build 2,000 rows here, not 10,000).
    evidence = list(m.Evidence.objects.filter(audit=audit).select_related("attachment").order_by("id"))
    return Scope(
        audit=audit,
        user=user,
        team_ids=team_ids,
        document_ids={d.pk for d in audit.documents.all()},
        start=start,
        end=end,
        evidence=evidence,
    )


def questions(scope: Scope) -> list[m.AuditQuestion]:
    return list(
        m.AuditQuestion.objects.filter(audit=scope.audit).select_related("answer__answered_by").order_by("order", "id")
    )


def findings(scope: Scope) -> list[m.Finding]:
    return list(
        m.Finding.objects.filter(audit=scope.audit)
        .select_related("team", "responded_by", "created_by", "nonconformity", "question")
        .order_by("number")
    )


def _answer_of(question):
    try:
        return question.answer
    except m.Answer.DoesNotExist:
        return None


def findings_table(rows: list[m.Finding]) -> Table:
    header = [
        "reference",
        "classification",
        "clause",
        "team",
        "statement",
        "requirement",
        "objective evidence",
        "auditee response",
        "responded by",
        "responded at",
        "nonconformity",
        "recorded by",
        "recorded at",
    ]
    body = (
        [
            f.reference,
            f.get_classification_display(),
            f.clause,
            f.team.name,
            f.statement,
            f.requirement,
            f.evidence_text,
            f.auditee_response,
            _name(f.responded_by),
            _when(f.responded_at),
            f.nonconformity.reference if f.nonconformity_id else "",
            _name(f.created_by),
            _when(f.created_at),
        ]
        for f in rows
    )
    return header, body


def checklist_table(rows: list[m.AuditQuestion], evidence_paths: dict[int, list[str]]) -> Table:
    header = [
        "order",
        "clause",
        "question",
        "guidance",
        "source",
        "answer",
        "notes",
        "answered by",
        "answered at",
        "evidence",
    ]

    def body() -> Iterator[list]:
        for q in rows:
            answer = _answer_of(q)
            yield [
                q.order,
                q.clause,
                q.text,
                q.guidance,
                q.get_source_display(),
                answer.get_value_display() if answer else "",
                answer.notes if answer else "",
                _name(answer.answered_by) if answer else "",
                _when(answer.answered_at) if answer else "",
                " | ".join(evidence_paths.get(answer.pk, [])) if answer else "",
            ]

    return header, body()


def post_reviews_table(scope: Scope) -> Table:
    from post_reviews.models import Defect
    from post_reviews.selectors import review_list_for

    qs = review_list_for(scope.user).filter(
        team_id__in=scope.team_ids, submitted_at__range=(scope.start_at, scope.end_at)
    )
    if scope.audit.account_id:
        qs = qs.filter(post__account_id=scope.audit.account_id)
    qs = qs.prefetch_related(Prefetch("defects", queryset=Defect.objects.order_by("id"))).order_by("id")
    header = [
        "review",
        "post",
        "account",
        "platform",
        "post url",
        "stage",
        "outcome",
        "score",
        "reviewer",
        "submitted at",
        "sampling lot",
        "defects",
        "notes",
    ]
    body = (
        [
            r.pk,
            r.post.external_id,
            r.post.account.handle,
            r.post.account.get_platform_display(),
            r.post.url,
            r.get_stage_display(),
            r.get_outcome_display(),
            r.score,
            _name(r.reviewer),
            _when(r.submitted_at),
            r.sampling_lot_id or "",
            "; ".join(
                f"{d.get_severity_display()} {d.get_category_display()}: {d.note}".rstrip(": ") for d in r.defects.all()
            ),
            r.notes,
        ]
        for r in qs.iterator(chunk_size=2000)
    )
    return header, body


def sampling_lots_table(scope: Scope) -> Table:
    from post_reviews.selectors import lot_list_for

    overlap = Q(team_id__in=scope.team_ids, period_start__lte=scope.end, period_end__gte=scope.start)
    if scope.audit.account_id:
        overlap &= Q(account_id=scope.audit.account_id)
    qs = lot_list_for(scope.user).filter(overlap | Q(pk=scope.audit.sampling_lot_id)).order_by("id")
    header = [
        "lot",
        "account",
        "period start",
        "period end",
        "method",
        "AQL",
        "percent",
        "code letter",
        "lot size",
        "sample size",
        "accept",
        "reject",
        "seed",
        "defectives",
        "verdict",
        "decided at",
    ]
    body = (
        [
            lot.pk,
            lot.account.handle if lot.account_id else "",
            _when(lot.period_start),
            _when(lot.period_end),
            lot.method,
            lot.aql,
            lot.percent,
            lot.code_letter,
            lot.lot_size,
            lot.sample_size,
            lot.accept,
            lot.reject,
            lot.seed,
            lot.defectives,
            lot.get_status_display(),
            _when(lot.decided_at),
        ]
        for lot in qs
    )
    return header, body


def nonconformities(scope: Scope, finding_rows: list[m.Finding]) -> list:
    from capa.selectors import nonconformity_list_for

    raised = [f.nonconformity_id for f in finding_rows if f.nonconformity_id]
    return list(
        nonconformity_list_for(scope.user)
        .filter(Q(team_id__in=scope.team_ids, detected_at__range=(scope.start_at, scope.end_at)) | Q(pk__in=raised))
        .order_by("id")
    )


def nonconformities_table(rows: list) -> Table:
    header = [
        "reference",
        "team",
        "source",
        "category",
        "severity",
        "title",
        "description",
        "status",
        "detected at",
        "detected by",
        "decision",
        "corrective action",
    ]
    body = (
        [
            nc.reference,
            nc.team.name,
            nc.get_source_kind_display(),
            nc.get_category_display(),
            nc.get_severity_display(),
            nc.title,
            nc.description,
            nc.get_status_display(),
            _when(nc.detected_at),
            _name(nc.detected_by),
            nc.get_decision_display(),
            nc.corrective_action.reference if nc.corrective_action_id else "",
        ]
        for nc in rows
    )
    return header, body


def capas(scope: Scope, nc_rows: list) -> list:
    from capa.selectors import capa_list_for

    linked = [nc.corrective_action_id for nc in nc_rows if nc.corrective_action_id]
    return list(
        capa_list_for(scope.user)
        .filter(Q(team_id__in=scope.team_ids, opened_at__range=(scope.start_at, scope.end_at)) | Q(pk__in=linked))
        .order_by("id")
    )


def capas_table(rows: list) -> Table:
    header = [
        "reference",
        "team",
        "title",
        "owner",
        "status",
        "opened at",
        "root cause",
        "root cause category",
        "implemented at",
        "closed at",
    ]
    body = (
        [
            c.reference,
            c.team.name,
            c.title,
            _name(c.owner),
            c.get_status_display(),
            _when(c.opened_at),
            c.root_cause,
            c.get_root_cause_category_display(),
            _when(c.implemented_at),
            _when(c.closed_at),
        ]
        for c in rows
    )
    return header, body


def document_versions(scope: Scope) -> list:
    from docs_control.selectors import versions_in_effect_between

    return list(
        versions_in_effect_between(
            scope.user,
            team_ids=scope.team_ids,
            document_ids=scope.document_ids,
            start=scope.start_at,
            end=scope.end_at,
        )
    )
