"""Corrective action services: root cause, actions, verification, closure."""

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from capa import permissions as perms
from capa.models import (
    ActionItem,
    ActionKind,
    CauseCategory,
    CheckResult,
    Comparator,
    CorrectiveAction,
    EffectivenessCheck,
    Nonconformity,
)
from capa.services._common import (
    CHECK_DEFAULT_DAYS,
    MAX_WHYS,
    _choice,
    _ensure_editable,
    _lock_capa,
    _required,
    _set_status,
    _team_member,
)
from capa.workflow import TRANSITIONS, NCStatus, Status
from core.exceptions import TransitionNotAllowed, ValidationError
from core.models import Meaning
from core.services import (
    attachment_create,
    audited_save,
    notification_enqueue,
    notifications_resolve,
    signature_create,
)
from core.workflow import assert_transition

# --- corrective actions -----------------------------------------------------------------------


@transaction.atomic
def capa_start_investigation(*, capa_id: int, by: User) -> CorrectiveAction:
    capa = _lock_capa(capa_id)
    perms.ensure(perms.can_work(by, capa), "You can't work this corrective action.")
    if capa.status == Status.INVESTIGATING:
        return capa
    assert_transition(TRANSITIONS, capa.status, Status.INVESTIGATING)
    _set_status(capa, Status.INVESTIGATING, "investigation started", by=by)
    return capa


def _clean_whys(five_whys: Iterable[str] | None) -> list[str]:
    whys = [str(w).strip() for w in (five_whys or []) if str(w).strip()]
    if len(whys) > MAX_WHYS:
        raise ValidationError({"five_whys": f"At most {MAX_WHYS} whys."})
    if any(len(w) > 1000 for w in whys):
        raise ValidationError({"five_whys": "Each answer can be at most 1000 characters."})
    return whys


def _clean_fishbone(fishbone: dict | None) -> dict[str, list[str]]:
    if fishbone is None:
        return {}
    if not isinstance(fishbone, dict):
        raise ValidationError({"fishbone": "Give causes by category."})
    cleaned: dict[str, list[str]] = {}
    for category, causes in fishbone.items():
        if category not in CauseCategory.values:
            raise ValidationError({"fishbone": f"Unknown category {category!r}."})
        if isinstance(causes, str):
            causes = causes.splitlines()
        if not isinstance(causes, list):
            raise ValidationError({"fishbone": f"Causes for {category} must be a list."})
        found = [str(c).strip()[:1000] for c in causes if str(c).strip()]
        if found:
            cleaned[category] = found
    return cleaned


@transaction.atomic
def capa_set_root_cause(
    *,
    capa_id: int,
    root_cause: str,
    by: User,
    root_cause_category: str = "",
    five_whys: Iterable[str] | None = None,
    fishbone: dict | None = None,
) -> CorrectiveAction:
    """Record the root cause analysis: a 5-whys chain and/or fishbone causes, and the chosen root
    cause. Allowed while investigating or planning; required before the action plan."""
    capa = _lock_capa(capa_id)
    perms.ensure(perms.can_work(by, capa), "You can't work this corrective action.")
    _ensure_editable(capa)
    if capa.status not in (Status.INVESTIGATING, Status.ACTION_PLAN):
        raise TransitionNotAllowed(
            capa.status, "set_root_cause", "The root cause is set while investigating or planning."
        )
    root_cause = _required(root_cause, "root_cause", "Choose the root cause.")
    if root_cause_category:
        _choice(root_cause_category, CauseCategory, "root_cause_category")
    whys = _clean_whys(five_whys)
    bones = _clean_fishbone(fishbone)
    if not whys and not bones:
        raise ValidationError({"five_whys": "Record a 5-whys chain or fishbone causes."})
    if (capa.root_cause, capa.root_cause_category, capa.five_whys, capa.fishbone) == (
        root_cause,
        root_cause_category,
        whys,
        bones,
    ):
        return capa
    capa.root_cause = root_cause
    capa.root_cause_category = root_cause_category
    capa.five_whys = whys
    capa.fishbone = bones
    audited_save(capa, by=by, reason="root cause recorded")
    return capa


@transaction.atomic
def capa_plan(*, capa_id: int, by: User) -> CorrectiveAction:
    capa = _lock_capa(capa_id)
    perms.ensure(perms.can_work(by, capa), "You can't work this corrective action.")
    if capa.status == Status.ACTION_PLAN:
        return capa
    assert_transition(TRANSITIONS, capa.status, Status.ACTION_PLAN)
    if not capa.root_cause:
        raise ValidationError({"root_cause": "Record the root cause before the action plan."})
    _set_status(capa, Status.ACTION_PLAN, "action plan started", by=by)
    return capa


@transaction.atomic
def action_item_add(
    *,
    capa_id: int,
    description: str,
    action_type: str,
    owner: User,
    due_date: date,
    by: User,
) -> ActionItem:
    capa = _lock_capa(capa_id)
    perms.ensure(perms.can_work(by, capa), "You can't work this corrective action.")
    _ensure_editable(capa)
    if capa.status not in (Status.ACTION_PLAN, Status.IMPLEMENTING):
        raise TransitionNotAllowed(
            capa.status, "add_action", "Action items are added during planning and implementation."
        )
    description = _required(description, "description", "Describe the action.")
    _choice(action_type, ActionKind, "action_type")
    _team_member(owner, capa.team_id, "owner")
    if not isinstance(due_date, date):
        raise ValidationError({"due_date": "Give a due date."})
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": "The due date can't be in the past."})
    item = ActionItem(
        corrective_action=capa,
        description=description,
        action_type=action_type,
        owner=owner,
        due_date=due_date,
        created_by=by,
    )
    audited_save(item, by=by, reason="action item added")
    if owner.pk != by.pk:
        from capa.tasks import action_item_notify_owner

        action_item_notify_owner.delay_on_commit(item.pk)
    return item


def action_item_notify_owner(*, item_id: int) -> None:
    """Tell an action item's owner it is theirs. Idempotent (one notification per item)."""
    item = ActionItem.objects.select_related("corrective_action", "owner").filter(pk=item_id).first()
    if item is None or item.is_done:
        return
    capa = item.corrective_action
    notification_enqueue(
        recipient=item.owner,
        kind="capa_action_assigned",
        subject=item,
        title=f"{capa.reference}: an action is yours, due {item.due_date:%Y-%m-%d}",
        body=item.description,
        url=capa.get_absolute_url(),
    )


@transaction.atomic
def action_item_complete(
    *,
    item_id: int,
    by: User,
    note: str = "",
    evidence: Iterable[UploadedFile] = (),
) -> ActionItem:
    """Mark an action item done, with optional evidence files attached to it."""
    item = ActionItem.objects.select_for_update().select_related("corrective_action").get(pk=item_id)
    capa = item.corrective_action
    perms.ensure(perms.can_complete_item(by, item), "Only the owner or a CAPA worker can complete this.")
    if item.is_done:
        return item
    _ensure_editable(capa)
    if capa.status not in (Status.ACTION_PLAN, Status.IMPLEMENTING):
        raise TransitionNotAllowed(capa.status, "complete_action", "Actions are done while implementing.")
    item.done_at = timezone.now()
    item.done_by = by
    item.done_note = (note or "").strip()
    audited_save(item, by=by, reason="action done")
    notifications_resolve(subject=item)  # its reminders leave the inbox
    for upload in evidence:
        attachment_create(team=capa.team, upload=upload, by=by, record=item)
    return item


@transaction.atomic
def capa_implement(*, capa_id: int, by: User) -> CorrectiveAction:
    capa = _lock_capa(capa_id)
    perms.ensure(perms.can_work(by, capa), "You can't work this corrective action.")
    if capa.status == Status.IMPLEMENTING:
        return capa
    assert_transition(TRANSITIONS, capa.status, Status.IMPLEMENTING)
    if capa.status == Status.VERIFYING:
        raise TransitionNotAllowed(
            capa.status, Status.IMPLEMENTING, "A CAPA goes back to implementing only by a failed check."
        )
    if not capa.items.exists():
        raise ValidationError({"items": "Plan at least one action before implementing."})
    _set_status(capa, Status.IMPLEMENTING, "implementation started", by=by)
    return capa


@transaction.atomic
def capa_start_verification(
    *,
    capa_id: int,
    criteria: str,
    by: User,
    due_date: date | None = None,
    metric_key: str = "",
    metric_scope: dict | None = None,
    comparator: str = "",
    threshold: Decimal | None = None,
) -> EffectivenessCheck:
    """All actions are done: define the effectiveness check (criteria, due date, optionally a
    measured criterion for the daily job) and move to verifying."""
    capa = _lock_capa(capa_id)
    perms.ensure(perms.can_work(by, capa), "You can't work this corrective action.")
    if capa.status == Status.VERIFYING:
        pending = capa.checks.filter(result="").first()
        if pending is not None:
            return pending
    assert_transition(TRANSITIONS, capa.status, Status.VERIFYING)
    if capa.items.filter(done_at__isnull=True).exists():
        raise ValidationError({"items": "Every action item must be done before verification."})
    if not capa.items.exists():
        raise ValidationError({"items": "There are no action items."})
    criteria = _required(criteria, "criteria", "Say how effectiveness will be judged.")
    metric_key = (metric_key or "").strip()
    if metric_scope is not None and not isinstance(metric_scope, dict):
        raise ValidationError({"metric_scope": "The scope is a set of key/value pairs."})
    if metric_key:
        _choice(comparator, Comparator, "comparator")
        if threshold is None:
            raise ValidationError({"threshold": "A measured criterion needs a threshold."})
    elif comparator or threshold is not None or metric_scope:
        raise ValidationError({"metric_key": "Name the metric the threshold applies to."})
    now = timezone.now()
    implemented_at = now
    due = due_date or (timezone.localdate(implemented_at) + timedelta(days=CHECK_DEFAULT_DAYS))
    if due < timezone.localdate():
        raise ValidationError({"due_date": "The check can't be due in the past."})
    _set_status(capa, Status.VERIFYING, "implemented; verification started", implemented_at=implemented_at, by=by)
    check = EffectivenessCheck(
        corrective_action=capa,
        criteria=criteria,
        due_date=due,
        metric_key=metric_key,
        metric_scope=metric_scope or {},
        comparator=comparator if metric_key else "",
        threshold=threshold if metric_key else None,
        created_by=by,
    )
    audited_save(check, by=by, reason="effectiveness check defined")
    return check


@transaction.atomic
def capa_verify(
    *,
    capa_id: int,
    result: str,
    by: User,
    evidence: str = "",
    reason: str = "",
    evidence_files: Iterable[UploadedFile] = (),
) -> CorrectiveAction:
    """Record the effectiveness check. Not effective sends the CAPA back to implementing with a
    reason; effective makes it ready for a QA manager to close."""
    capa = _lock_capa(capa_id)
    perms.ensure(perms.can_work(by, capa), "You can't work this corrective action.")
    _choice(result, CheckResult, "result")
    last = capa.checks.order_by("-created_at", "-id").first()
    if last is not None and last.result == result:
        done = (result == CheckResult.EFFECTIVE and capa.status in (Status.VERIFYING, Status.CLOSED)) or (
            result == CheckResult.NOT_EFFECTIVE and capa.status == Status.IMPLEMENTING
        )
        if done:
            return capa
    if capa.status != Status.VERIFYING:
        target = Status.CLOSED if result == CheckResult.EFFECTIVE else Status.IMPLEMENTING
        raise TransitionNotAllowed(capa.status, target, "Effectiveness is checked while verifying.")
    check = EffectivenessCheck.objects.select_for_update().filter(corrective_action=capa, result="").first()
    if check is None:
        raise TransitionNotAllowed(capa.status, "verify", "There is no pending effectiveness check.")
    evidence = (evidence or "").strip()
    reason = (reason or "").strip()
    if result == CheckResult.NOT_EFFECTIVE and not reason:
        raise ValidationError({"reason": "Say why the action was not effective."})
    if result == CheckResult.EFFECTIVE and not evidence and not evidence_files:
        raise ValidationError({"evidence": "Give the evidence that the action was effective."})
    check.result = result
    check.evidence = evidence or reason
    check.checked_at = timezone.now()
    check.checked_by = by
    audited_save(check, by=by, reason=f"check: {result.replace('_', ' ')}")
    notifications_resolve(subject=check)
    for upload in evidence_files:
        attachment_create(team=capa.team, upload=upload, by=by, record=check)
    if result == CheckResult.NOT_EFFECTIVE:
        assert_transition(TRANSITIONS, capa.status, Status.IMPLEMENTING)
        _set_status(capa, Status.IMPLEMENTING, f"check not effective: {reason}"[:100], reopen_reason=reason, by=by)
    else:
        audited_save(capa, by=by, reason="check effective")
    return capa


@transaction.atomic
def capa_close(*, capa_id: int, password: str, by: User, comment: str = "") -> CorrectiveAction:
    """Close a CAPA: a QA manager's signature, only after an effective check with all actions done.
    Its nonconformities close with it."""
    capa = _lock_capa(capa_id)
    perms.ensure(perms.can_close(by, capa), "Only a QA manager can close a corrective action.")
    if capa.status == Status.CLOSED:
        return capa
    assert_transition(TRANSITIONS, capa.status, Status.CLOSED)
    if capa.items.filter(done_at__isnull=True).exists():
        raise ValidationError({"items": "Every action item must be done before closure."})
    last = capa.checks.order_by("-created_at", "-id").first()
    if last is None or last.result != CheckResult.EFFECTIVE:
        raise ValidationError({"check": "Closure needs a passed effectiveness check."})
    _set_status(capa, Status.CLOSED, "closed", closed_at=timezone.now(), closed_by=by, by=by)
    # Sign after the change is saved, so the hash covers the closed state; a wrong password
    # raises here and rolls everything back.
    signature_create(record=capa, by=by, password=password, meaning=Meaning.CLOSED, comment=comment)
    for nc in Nonconformity.objects.select_for_update().filter(corrective_action=capa).exclude(status=NCStatus.CLOSED):
        _set_status(nc, NCStatus.CLOSED, f"closed with {capa.reference}", by=by)
    return capa


@transaction.atomic
def capa_cancel(*, capa_id: int, reason: str, by: User) -> CorrectiveAction:
    """Cancel from any state but closed. Its NCs go back to open, to be decided again."""
    capa = _lock_capa(capa_id)
    perms.ensure(perms.can_cancel(by, capa), "Only a QA manager can cancel a corrective action.")
    if capa.status == Status.CANCELLED:
        return capa
    assert_transition(TRANSITIONS, capa.status, Status.CANCELLED)
    reason = _required(reason, "reason", "Say why the corrective action is cancelled.")
    _set_status(
        capa,
        Status.CANCELLED,
        f"cancelled: {reason}"[:100],
        cancel_reason=reason,
        cancelled_at=timezone.now(),
        by=by,
    )
    for nc in Nonconformity.objects.select_for_update().filter(corrective_action=capa):
        _set_status(
            nc,
            NCStatus.OPEN,
            f"{capa.reference} cancelled",
            decision="",
            decided_at=None,
            decided_by=None,
            corrective_action=None,
            by=by,
        )
    return capa
