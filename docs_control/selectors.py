"""Every read of document control, scoped to the user's teams (and to what they were asked to read)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from accounts.permissions import team_ids_of
from accounts.roles import ROLE_RIGHTS, Right
from accounts.selectors import team_members
from core.exceptions import NotFound, ValidationError

from .models import Acknowledgement, Approval, Decision, Document, DocumentVersion
from .rendering import word_diff
from .workflow import Status

REVIEW_SOON_DAYS = 30
# Revisions on their way to replace the version in force.
PENDING = frozenset({Status.DRAFT, Status.IN_REVIEW, Status.APPROVED})


def document_list_for(user: User) -> QuerySet[Document]:
    asked = Acknowledgement.objects.filter(user=user, version__document=OuterRef("pk"))
    return Document.objects.filter(Q(team_id__in=team_ids_of(user)) | Q(Exists(asked)))


def _visible_versions(user: User) -> QuerySet[DocumentVersion]:
    """Every version of the user's teams' documents; of another team's document, only the
    versions the user was asked to acknowledge (not its drafts or later revisions)."""
    asked = Acknowledgement.objects.filter(user=user, version=OuterRef("pk"))
    return DocumentVersion.objects.filter(Q(document__team_id__in=team_ids_of(user)) | Q(Exists(asked)))


def with_version_columns(qs: QuerySet[Document], user: User) -> QuerySet[Document]:
    """The version in force and the latest version of each document, among those the user may see."""
    visible = _visible_versions(user)
    effective = visible.filter(document=OuterRef("pk"), status=Status.EFFECTIVE)
    latest = visible.filter(document=OuterRef("pk")).order_by("-major", "-minor")
    return qs.select_related("team", "owner").annotate(
        effective_major=Subquery(effective.values("major")[:1]),
        effective_minor=Subquery(effective.values("minor")[:1]),
        latest_major=Subquery(latest.values("major")[:1]),
        latest_minor=Subquery(latest.values("minor")[:1]),
        latest_status=Subquery(latest.values("status")[:1]),
    )


@dataclass
class RegisterFilters:
    team: int | None = None
    kind: str = ""
    status: str = ""
    review_due: bool = False
    awaiting_my_approval: bool = False
    awaiting_my_ack: bool = False
    q: str = ""


def document_register(user: User, filters: RegisterFilters) -> QuerySet[Document]:
    qs = with_version_columns(document_list_for(user), user)
    if filters.team:
        qs = qs.filter(team_id=filters.team)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(Exists(DocumentVersion.objects.filter(document=OuterRef("pk"), status=filters.status)))
    if filters.review_due:
        qs = qs.filter(next_review_due__lte=timezone.localdate() + timedelta(days=REVIEW_SOON_DAYS))
    if filters.awaiting_my_approval:
        qs = qs.filter(Exists(_pending_approvals(user).filter(version__document=OuterRef("pk"))))
    if filters.awaiting_my_ack:
        qs = qs.filter(Exists(_pending_acks(user).filter(version__document=OuterRef("pk"))))
    if filters.q.strip():
        qs = _search(qs, filters.q.strip())
    return qs.order_by("number")


def _search(qs: QuerySet[Document], text: str) -> QuerySet[Document]:
    if connection.vendor == "postgresql":
        # The stored, GIN-indexed tsvector column of migration 0002; the configuration is pinned.
        return qs.extra(
            where=["docs_control_document.search_vector @@ websearch_to_tsquery('english', %s)"],
            params=[text],
        )
    return qs.filter(Q(number__icontains=text) | Q(title__icontains=text) | Q(search_text__icontains=text))


def _pending_approvals(user: User) -> QuerySet[Approval]:
    return Approval.objects.filter(
        approver=user,
        decision=Decision.PENDING,
        version__status=Status.IN_REVIEW,
        round=F("version__review_round"),
    )


def _pending_acks(user: User) -> QuerySet[Acknowledgement]:
    return Acknowledgement.objects.filter(user=user, acknowledged_at__isnull=True, version__status=Status.EFFECTIVE)


def approvals_pending_for(user: User) -> QuerySet[Approval]:
    return (
        _pending_approvals(user)
        .select_related("version__document__team", "version__author")
        .order_by("version__submitted_at")
    )


def acknowledgements_pending_for(user: User) -> QuerySet[Acknowledgement]:
    """Each with ``overdue`` (due date passed), the same rule as the progress and matrix counts."""
    return (
        _pending_acks(user)
        .select_related("version__document")
        .annotate(overdue=Q(due_at__lt=timezone.now()))
        .order_by("due_at")
    )


def document_get_for(user: User, *, document_id: int) -> Document:
    document = (
        with_version_columns(document_list_for(user), user)
        .prefetch_related(
            Prefetch("versions", queryset=_visible_versions(user).select_related("author").order_by("-major", "-minor"))
        )
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        raise NotFound("No such document.")
    return document


def version_list_for(user: User) -> QuerySet[DocumentVersion]:
    return _visible_versions(user).select_related("document", "document__team", "author")


def versions_of_document(user: User, document: Document) -> list[DocumentVersion]:
    """The versions of one document the user may see, newest first (for the compare menu)."""
    return list(_visible_versions(user).filter(document=document).order_by("-major", "-minor"))


def version_get_for(user: User, *, version_id: int) -> DocumentVersion:
    version = (
        version_list_for(user)
        .select_related("document__owner")
        .prefetch_related(
            Prefetch("approvals", queryset=Approval.objects.select_related("approver", "signature")),
            Prefetch("acknowledgements", queryset=Acknowledgement.objects.select_related("user")),
            "extra_teams",
        )
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise NotFound("No such document version.")
    return version


def effective_versions_of_teams(team_ids: set[int]) -> QuerySet[DocumentVersion]:
    """The versions in force of these teams' documents (what checklists are built from)."""
    return (
        DocumentVersion.objects.filter(status=Status.EFFECTIVE, document__team_id__in=team_ids)
        .select_related("document")
        .order_by("document__number")
    )


def versions_in_effect_between(
    user: User, *, team_ids: set[int], document_ids: set[int], start, end
) -> QuerySet[DocumentVersion]:
    """The versions of these teams' documents (and of these documents) that were in force at
    any time from ``start`` to ``end`` (aware datetimes): made effective before the end and not
    superseded before the start. A version withdrawn (obsolete) has no end time recorded, so it
    counts as in force from its effective time on. Scoped to what ``user`` may see."""
    return (
        _visible_versions(user)
        .filter(Q(document__team_id__in=team_ids) | Q(document_id__in=document_ids))
        .filter(status__in=[Status.EFFECTIVE, Status.SUPERSEDED, Status.OBSOLETE], effective_at__lte=end)
        .filter(Q(superseded_at__isnull=True) | Q(superseded_at__gte=start))
        .select_related("document", "document__team", "author")
        .order_by("document__number", "major", "minor")
    )


def effective_version_of(document: Document) -> DocumentVersion | None:
    return next((v for v in document.versions.all() if v.status == Status.EFFECTIVE), None)


def version_diff(user: User, *, version_id: int, against_id: int | None) -> dict:
    """Word-level diff of a version against another of the same document.

    By default: a revision not yet in force against the version in force (what it will
    replace); otherwise, or with nothing in force, against the previous version by number,
    whatever its status, among the versions the user may see.
    """
    version = version_get_for(user, version_id=version_id)
    if against_id is None:
        others = _visible_versions(user).filter(document=version.document).exclude(pk=version.pk)
        other = None
        if version.status in PENDING:
            other = others.filter(status=Status.EFFECTIVE).first()
        if other is None:
            other = (
                others.filter(Q(major__lt=version.major) | Q(major=version.major, minor__lt=version.minor))
                .order_by("-major", "-minor")
                .first()
            )
    else:
        other = version_get_for(user, version_id=against_id)
        if other.document_id != version.document_id:
            raise ValidationError({"against": "Both versions must belong to the same document."})
    diff = word_diff(other.body if other else "", version.body)
    return {"version": version, "against": other, **diff}


def acknowledgement_progress(version: DocumentVersion) -> dict:
    acks = list(version.acknowledgements.all())
    done = sum(1 for a in acks if a.acknowledged_at)
    now = timezone.now()
    overdue = sum(1 for a in acks if not a.acknowledged_at and a.due_at < now)
    return {
        "total": len(acks),
        "done": done,
        "overdue": overdue,
        "percent": round(100 * done / len(acks)) if acks else 0,
    }


def training_matrix(user: User, *, team_id: int | None = None) -> dict:
    """People by documents with an effective version: acknowledged (version, date), pending or overdue.

    A fixed number of queries whatever the size: people, documents, acknowledgements.
    """
    team_ids = team_ids_of(user)
    if team_id is not None:
        team_ids &= {team_id}
    people = list(team_members(team_ids=team_ids))
    effective = DocumentVersion.objects.filter(document=OuterRef("pk"), status=Status.EFFECTIVE)
    documents = list(
        Document.objects.filter(team_id__in=team_ids)
        .annotate(effective_id=Subquery(effective.values("pk")[:1]))
        .filter(effective_id__isnull=False)
        .order_by("number")
    )
    acks = (
        Acknowledgement.objects.filter(user__in=people, version__document__in=documents)
        .select_related("version")
        .order_by("version__major", "version__minor")
    )
    effective_by_document = {d.pk: d.effective_id for d in documents}
    latest: dict[tuple[int, int], Acknowledgement] = {}
    current: dict[tuple[int, int], Acknowledgement] = {}
    for ack in acks:
        key = (ack.user_id, ack.version.document_id)
        if ack.version_id == effective_by_document[ack.version.document_id]:
            current[key] = ack
        if ack.acknowledged_at:
            latest[key] = ack
    now = timezone.now()
    rows = []
    for person in people:
        cells = []
        for document in documents:
            key = (person.pk, document.pk)
            ask = current.get(key)
            last = latest.get(key)
            if ask and ask.acknowledged_at:
                cells.append({"state": "done", "label": ask.version.label, "at": ask.acknowledged_at})
            elif ask:
                state = "overdue" if ask.due_at < now else "pending"
                cells.append({"state": state, "label": ask.version.label, "due": ask.due_at, "previous": last})
            else:
                cells.append({"state": "none", "previous": last})
        rows.append({"person": person, "cells": cells})
    return {"documents": documents, "rows": rows}


def dashboard_panel(request) -> dict:
    user = request.user
    # The two due first: one means a link straight to the version to acknowledge.
    acks = list(_pending_acks(user).order_by("due_at").values_list("version_id", flat=True)[:2])
    return {
        "template": "docs_control/_dashboard_panel.html",
        "approvals": approvals_pending_for(user).count(),
        "acks": acknowledgements_pending_for(user).count(),
        "ack_version_id": acks[0] if len(acks) == 1 else None,
        "reviews_due": document_list_for(user)
        .filter(next_review_due__lte=timezone.localdate() + timedelta(days=REVIEW_SOON_DAYS))
        .count(),
    }


APPROVER_ROLES = tuple(role for role, rights in ROLE_RIGHTS.items() if Right.DOCUMENT_APPROVE in rights)


def approver_candidates(version: DocumentVersion) -> QuerySet[User]:
    """Who may be asked to approve a version: members of the owning team with the approval
    right, other than its author."""
    return team_members(team_id=version.document.team_id, roles=APPROVER_ROLES).exclude(pk=version.author_id)


def other_version_in_force(*, document_id, version_id) -> Exists:
    """For another app's queryset: the document has a version in force other than ``version_id``
    (e.g. a checklist built from a version that has since been revised). Both arguments are
    ``OuterRef`` expressions naming the outer row's document and version."""
    return Exists(
        DocumentVersion.objects.filter(document_id=document_id, status=Status.EFFECTIVE).exclude(pk=version_id)
    )
