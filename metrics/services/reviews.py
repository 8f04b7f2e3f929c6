"""Management review services (ISO 9001 9.3): hold, edit while draft, actions, signed closing.

A closed review is a record: every change to it is refused (409), except marking its actions
done, which is how they are tracked into the next review's input a).
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import can_view_team, has_right
from accounts.roles import Right
from core.exceptions import NotFound, PermissionDenied, TransitionNotAllowed, ValidationError
from core.models import Meaning
from core.services import audited_save, notification_enqueue, signature_create
from metrics.models import ManagementReview, ManagementReviewAction, ReviewStatus
from metrics.permissions import can_close_review, can_complete_review_action, can_manage_reviews

TEXTS = (*ManagementReview.TEXT_FIELDS, *ManagementReview.OUTPUT_FIELDS)
EDITABLE = ("title", "period_start", "period_end", "chair", "participants", *TEXTS)


def _member(team_id: int, user, field: str, *, right: str = Right.VIEW) -> User:
    if isinstance(user, int):
        user = User.objects.filter(pk=user, is_active=True).first()
    if user is None or not has_right(user, team_id, right):
        raise ValidationError({field: "Choose a member of the team."})
    return user


def _clean(team_id: int, data: dict) -> dict:
    errors, fields = {}, {}
    for name, value in data.items():
        if name not in EDITABLE:
            errors[name] = "Not a field of a management review."
        elif name == "title":
            fields[name] = (value or "").strip()[:200]
            if not fields[name]:
                errors[name] = "Give the review a title."
        elif name in ("period_start", "period_end"):
            if not isinstance(value, date):
                errors[name] = "Give a date."
            fields[name] = value
        elif name == "chair":
            try:
                fields[name] = _member(team_id, value, "chair", right=Right.METRICS_MANAGE)
            except ValidationError:
                errors[name] = "The chair is a member who may hold management reviews."
        elif name == "participants":
            try:
                fields[name] = [_member(team_id, u, "participants") for u in value or []]
            except ValidationError:
                errors[name] = "Participants are members of the team."
        else:
            fields[name] = (value or "").strip()
    start, end = fields.get("period_start"), fields.get("period_end")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors["period_end"] = "The period ends after it starts."
    if errors:
        raise ValidationError(errors)
    return fields


def _apply(review: ManagementReview, fields: dict, *, by, reason: str) -> None:
    participants = fields.pop("participants", None)
    for name, value in fields.items():
        setattr(review, name, value)
    audited_save(review, by=by, reason=reason)
    if participants is not None:
        review.participants.set(participants)


@transaction.atomic
def management_review_create(*, team_id: int, data: dict, by: User) -> ManagementReview:
    if not can_view_team(by, team_id):
        raise NotFound("No such team.")
    if not can_manage_reviews(by, team_id):
        raise PermissionDenied("Your role can't hold management reviews.")
    missing = {f: "This field is required." for f in ("title", "period_start", "period_end") if not data.get(f)}
    if missing:
        raise ValidationError(missing)
    fields = _clean(team_id, {"chair": by, **data})
    review = ManagementReview(team_id=team_id, created_by=by)
    _apply(review, fields, by=by, reason="management review planned")
    return review


def _lock_draft(review_id: int, by: User, verb: str) -> ManagementReview:
    from metrics.reviews import review_get_for

    review_get_for(by, review_id=review_id)  # 404 for another team's
    review = ManagementReview.objects.select_for_update().get(pk=review_id)
    if not can_manage_reviews(by, review.team_id):
        raise PermissionDenied("Your role can't change management reviews.")
    if review.is_closed:
        raise TransitionNotAllowed(review.status, verb, "The review is closed and signed: it can't change.")
    return review


@transaction.atomic
def management_review_update(*, review_id: int, data: dict, by: User) -> ManagementReview:
    review = _lock_draft(review_id, by, "edit")
    merged = {"period_start": review.period_start, "period_end": review.period_end, **data}
    fields = _clean(review.team_id, merged)
    for name in ("period_start", "period_end"):
        if name not in data:
            fields.pop(name)
    changed = [n for n, v in fields.items() if n == "participants" or getattr(review, n) != v]
    if changed:
        _apply(review, fields, by=by, reason="changed: " + ", ".join(changed))
    return review


@transaction.atomic
def management_review_action_add(
    *, review_id: int, description: str, owner, due_date: date, by: User
) -> ManagementReviewAction:
    review = _lock_draft(review_id, by, "add_action")
    errors = {}
    description = (description or "").strip()
    if not description:
        errors["description"] = "Describe the action."
    try:
        owner = _member(review.team_id, owner, "owner")
    except ValidationError as exc:
        errors.update(exc.errors)
    if not isinstance(due_date, date):
        errors["due_date"] = "Give a due date."
    if errors:
        raise ValidationError(errors)
    action = ManagementReviewAction(
        review=review, description=description, owner=owner, due_date=due_date, created_by=by
    )
    audited_save(action, by=by, reason="review action added")
    return action


@transaction.atomic
def management_review_action_complete(*, action_id: int, by: User) -> ManagementReviewAction:
    """Mark an output action done (also after the review closed: actions are tracked)."""
    from metrics.reviews import review_action_get_for

    review_action_get_for(by, action_id=action_id)
    action = ManagementReviewAction.objects.select_for_update().select_related("review").get(pk=action_id)
    if not can_complete_review_action(by, action):
        raise PermissionDenied("Only the owner or a manager can complete this action.")
    if action.done_at is None:
        action.done_at, action.done_by = timezone.now(), by
        audited_save(action, by=by, reason="review action done")
    return action


@transaction.atomic
def management_review_close(*, review_id: int, password: str, by: User, comment: str = "") -> ManagementReview:
    """The chair signs the review closed (meaning approved); its computed inputs are frozen."""
    from metrics.reviews import review_get_for, review_inputs

    review_get_for(by, review_id=review_id)
    review = ManagementReview.objects.select_for_update().get(pk=review_id)
    if review.is_closed:
        return review
    if not can_close_review(by, review):
        raise PermissionDenied("Only the review's chair signs it closed.")
    if not review.decisions.strip():
        raise ValidationError({"decisions": "Record the review's decisions (ISO 9001 9.3.3) before closing."})
    review.snapshot = review_inputs(review)
    review.status, review.closed_at = ReviewStatus.CLOSED, timezone.now()
    audited_save(review, by=by, reason="closed and signed by the chair")
    signature_create(record=review, by=by, password=password, meaning=Meaning.APPROVED, comment=comment)
    for action in review.actions.select_related("owner"):
        if action.owner_id != by.pk:
            notification_enqueue(
                recipient=action.owner,
                kind="review_action_assigned",
                subject=action,
                title=f"Management review action due {action.due_date:%Y-%m-%d}",
                body=action.description,
                url=review.get_absolute_url(),
            )
    return review
