"""Nonconformity services: raise, contain, decide."""

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from accounts.models import Team, User
from accounts.permissions import has_right
from accounts.roles import Right
from capa import permissions as perms
from capa.models import (
    Category,
    ContainmentAction,
    CorrectiveAction,
    Decision,
    Disposition,
    Nonconformity,
    Severity,
    SourceKind,
)
from capa.services._common import (
    SOURCE_KINDS,
    _choice,
    _ensure_editable,
    _lock_capa,
    _lock_nc,
    _next_reference,
    _required,
    _set_status,
    _team_member,
)
from capa.workflow import NC_TRANSITIONS, NCStatus
from core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationError
from core.models import Meaning
from core.services import audited_save, signature_create
from core.workflow import assert_transition

# --- nonconformities ---------------------------------------------------------------------------


@transaction.atomic
def nonconformity_raise(
    *,
    source: models.Model | None,
    team: Team,
    severity: str,
    description: str,
    by: User,
    source_kind: str | None = None,
    category: str = "",
    title: str = "",
    detected_at: datetime | None = None,
) -> Nonconformity:
    """Raise a nonconformity. Other apps call this with their record as ``source`` (a post review
    defect, an audit finding); complaints and others come from the page with ``source=None``.

    Idempotent per source record: raising twice for the same defect returns the first NC.
    """
    if not perms.can_raise(by, team.pk):
        raise PermissionDenied("You can't raise nonconformities for this team.")
    if source is not None:
        source_type = ContentType.objects.get_for_model(source)
        existing = Nonconformity.objects.filter(source_type=source_type, source_id=source.pk).first()
        if existing is not None:
            return existing
        source_kind = source_kind or SOURCE_KINDS.get(source._meta.label_lower, SourceKind.OTHER)
        category = category or getattr(source, "category", "") or ""
    else:
        source_type = None
        if not source_kind:
            raise ValidationError({"source_kind": "Say where the nonconformity comes from."})
    _choice(source_kind, SourceKind, "source_kind")
    _choice(severity, Severity, "severity")
    # One vocabulary (capa.models.Category, which post reviews use too): an unknown category is an
    # error of the caller, never filed under "other".
    category = _choice(category, Category, "category") if category else Category.OTHER
    description = _required(description, "description", "Describe the nonconformity.")
    title = (title or "").strip() or description.splitlines()[0][:200]

    nc = Nonconformity(
        team=team,
        source_kind=source_kind,
        source_type=source_type,
        source_id=source.pk if source is not None else None,
        category=category,
        severity=severity,
        title=title[:200],
        description=description,
        detected_at=detected_at or timezone.now(),
        detected_by=by,
    )
    try:
        # A savepoint: a concurrent raise for the same source wins the unique constraint, and we
        # return its NC (the reference number taken here is rolled back with the savepoint).
        with transaction.atomic():
            nc.reference = _next_reference("NC")
            audited_save(nc, by=by, reason="raised")
    except IntegrityError:
        if source_type is None:
            raise
        return Nonconformity.objects.get(source_type=source_type, source_id=source.pk)
    return nc


@transaction.atomic
def nonconformity_contain(
    *,
    nonconformity_id: int,
    description: str,
    by: User,
    disposition: str = "",
    done_at: datetime | None = None,
    password: str = "",
) -> ContainmentAction:
    """Record containment or an immediate correction. Accepting a nonconforming post as is (a
    concession, ISO 9001 8.7) is a QA manager's signed decision."""
    nc = _lock_nc(nonconformity_id)
    perms.ensure(perms.can_work(by, nc), "You can't record containment for this team.")
    if nc.is_closed:
        raise TransitionNotAllowed(nc.status, "contain", f"{nc.reference} is closed and read-only.")
    if disposition:
        _choice(disposition, Disposition, "disposition")
    description = _required(description, "description", "Say what was done.")
    when = done_at or timezone.now()
    if when > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"done_at": "Containment can't be recorded in the future."})
    concession = disposition == Disposition.ACCEPTED_AS_IS
    if concession:
        perms.ensure(perms.can_sign(by, nc), "Only a QA manager can accept a nonconforming output as is.")
    action = ContainmentAction(
        nonconformity=nc, disposition=disposition, description=description, done_at=when, recorded_by=by
    )
    audited_save(action, by=by, reason="concession" if concession else "containment recorded")
    if concession:
        signature_create(
            record=action,
            by=by,
            password=password,
            meaning=Meaning.APPROVED,
            comment="Concession: accepted as is",
        )
    return action


@transaction.atomic
def nonconformity_decide_no_action(
    *, nonconformity_id: int, justification: str, password: str, by: User
) -> Nonconformity:
    """Close an NC with "no corrective action needed": a QA manager's signed, justified decision."""
    nc = _lock_nc(nonconformity_id)
    perms.ensure(perms.can_decide_no_action(by, nc), "Only a QA manager can decide no action is needed.")
    if nc.decision == Decision.NO_ACTION:
        return nc
    assert_transition(NC_TRANSITIONS, nc.status, NCStatus.CLOSED)
    if nc.corrective_action_id is not None:
        raise TransitionNotAllowed(nc.status, NCStatus.CLOSED, "This NC is in a corrective action.")
    justification = _required(justification, "justification", "Justify why no corrective action is needed.")
    _set_status(
        nc,
        NCStatus.CLOSED,
        "no corrective action needed",
        decision=Decision.NO_ACTION,
        decision_justification=justification,
        decided_at=timezone.now(),
        decided_by=by,
        by=by,
    )
    signature_create(record=nc, by=by, password=password, meaning=Meaning.APPROVED, comment=justification)
    return nc


@transaction.atomic
def nonconformity_open_capa(
    *,
    nonconformity_id: int,
    owner: User,
    by: User,
    title: str = "",
    follows_id: int | None = None,
) -> CorrectiveAction:
    """Decide a corrective action is needed and open a new CAPA for this NC."""
    nc = _lock_nc(nonconformity_id)
    perms.ensure(perms.can_work(by, nc), "You can't open corrective actions for this team.")
    if nc.corrective_action_id is not None:
        return nc.corrective_action
    assert_transition(NC_TRANSITIONS, nc.status, NCStatus.IN_CAPA)
    _team_member(owner, nc.team_id, "owner")
    if not has_right(owner, nc.team_id, Right.CAPA_WORK):
        raise ValidationError({"owner": "The owner must be someone who works CAPAs in the team."})
    follows = None
    if follows_id is not None:
        follows = CorrectiveAction.objects.filter(pk=follows_id, team_id=nc.team_id).first()
        if follows is None:
            raise ValidationError({"follows": "No such CAPA in this team."})
    capa = CorrectiveAction(
        reference=_next_reference("CAPA"),
        team_id=nc.team_id,
        title=((title or "").strip() or nc.title)[:200],
        owner=owner,
        opened_by=by,
        follows=follows,
    )
    audited_save(capa, by=by, reason=f"opened for {nc.reference}")
    _set_status(
        nc,
        NCStatus.IN_CAPA,
        f"corrective action {capa.reference} opened",
        decision=Decision.CORRECTIVE_ACTION,
        decided_at=timezone.now(),
        decided_by=by,
        corrective_action=capa,
        by=by,
    )
    return capa


@transaction.atomic
def nonconformity_link_capa(*, nonconformity_id: int, capa_id: int, by: User) -> Nonconformity:
    """Link an NC to an existing open CAPA of its team: a duplicate is linked, not worked twice."""
    nc = _lock_nc(nonconformity_id)
    capa = _lock_capa(capa_id)
    perms.ensure(perms.can_work(by, nc), "You can't link corrective actions for this team.")
    if nc.corrective_action_id == capa.pk:
        return nc
    if capa.team_id != nc.team_id:
        raise ValidationError({"capa": "The CAPA belongs to another team."})
    _ensure_editable(capa)
    if nc.corrective_action_id is not None:
        raise ValidationError({"capa": f"{nc.reference} is already in another corrective action."})
    assert_transition(NC_TRANSITIONS, nc.status, NCStatus.IN_CAPA)
    _set_status(
        nc,
        NCStatus.IN_CAPA,
        f"linked to {capa.reference}",
        decision=Decision.CORRECTIVE_ACTION,
        decided_at=timezone.now(),
        decided_by=by,
        corrective_action=capa,
        by=by,
    )
    audited_save(capa, by=by, reason=f"{nc.reference} linked")
    return nc
