"""Post-publication sampling lots (ISO 2859-1 single sampling or a fixed percentage)."""

import secrets
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import can_view_team
from capa.services import nonconformity_raise
from core.exceptions import NotFound, PermissionDenied, ValidationError
from core.services import audited_save
from core.workflow import assert_transition
from post_reviews import permissions as perms
from post_reviews.models import Outcome, Post, PostReview, SamplingLot, SocialAccount, Stage
from post_reviews.sampling import Plan, draw_sample, iso2859_plan, lot_decision, percentage_plan
from post_reviews.workflow import LOT_TRANSITIONS, LotStatus, PostStatus


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end, time.max, tz)


@transaction.atomic
def sampling_lot_create(
    *,
    team_id: int,
    period_start: date,
    period_end: date,
    by: User,
    account_id: int | None = None,
    method: str = "iso2859",
    aql: str | Decimal = "2.5",
    percent: str | Decimal | None = None,
    seed: int | None = None,
    for_audit: bool = False,
) -> SamplingLot:
    """A lot = an account's (or the team's) published posts in a period; the sample is drawn at
    random with a stored seed so anyone can reproduce it."""
    if not can_view_team(by, team_id):
        raise NotFound("No such team.")
    allowed = perms.can_sample_for_audit if for_audit else perms.can_sample
    if not allowed(by, team_id):
        raise PermissionDenied("Your role can't create sampling lots.")
    errors: dict[str, str] = {}
    account = None
    if account_id is not None:
        account = SocialAccount.objects.filter(pk=account_id, team_id=team_id).first()
        if account is None:
            errors["account"] = "Choose one of the team's accounts."
    if period_end < period_start:
        errors["period_end"] = "The period ends before it starts."
    if method not in ("iso2859", "percentage"):
        errors["method"] = "Choose ISO 2859-1 or a fixed percentage."
    if errors:
        raise ValidationError(errors)
    start, end = _bounds(period_start, period_end)
    posts = Post.objects.filter(team_id=team_id, status=PostStatus.PUBLISHED, published_at__range=(start, end))
    if account is not None:
        posts = posts.filter(account=account)
    ids = list(posts.values_list("pk", flat=True))
    if not ids:
        raise ValidationError({"period_start": "No published posts in this period: the lot is empty."})
    try:
        if method == "iso2859":
            plan: Plan = iso2859_plan(len(ids), Decimal(str(aql)))
        else:
            plan = percentage_plan(len(ids), Decimal(str(percent)))
    except (ValueError, InvalidOperation, TypeError) as exc:
        field = "aql" if method == "iso2859" else "percent"
        raise ValidationError({field: f"Not a usable value: {exc}"}) from exc
    seed = seed if seed is not None else secrets.randbits(48)
    lot = SamplingLot(
        team_id=team_id,
        account=account,
        period_start=period_start,
        period_end=period_end,
        method=method,
        aql=Decimal(str(aql)) if method == "iso2859" else None,
        percent=Decimal(str(percent)) if method == "percentage" else None,
        code_letter=plan.code_letter or "",
        lot_size=len(ids),
        sample_size=plan.sample_size,
        accept=plan.accept,
        reject=plan.reject,
        seed=seed,
        sample_post_ids=draw_sample(ids, plan.sample_size, seed),
        created_by=by,
    )
    audited_save(lot, by=by, reason="sample drawn")
    return lot


def sampling_lot_evaluate(*, lot_id: int, by: User) -> SamplingLot | None:
    """Decide the lot once every sampled post has a post-publication review. Idempotent.

    ``by`` is the reviewer whose review completed the sample: the decision and a rejected lot's
    nonconformity are theirs (the lot's creator may have left the team since).
    """
    with transaction.atomic():
        lot = SamplingLot.objects.select_for_update().filter(pk=lot_id).first()
        if lot is None or lot.status != LotStatus.OPEN:
            return lot
        reviews = PostReview.objects.filter(
            post_id__in=lot.sample_post_ids,
            stage=Stage.POST_PUBLICATION,
            submitted_at__gte=lot.created_at,
            superseded_by__isnull=True,
        ).values_list("post_id", "outcome")
        outcome_by_post = dict(reviews)
        if len(outcome_by_post) < len(lot.sample_post_ids):
            return lot
        lot.defectives = sum(1 for o in outcome_by_post.values() if o == Outcome.FAIL)
        plan = Plan(
            code_letter=lot.code_letter or None,
            sample_size=lot.sample_size,
            accept=lot.accept,
            reject=lot.reject,
            method=lot.method,
        )
        target = LotStatus.ACCEPTED if lot_decision(plan, lot.defectives) == "accepted" else LotStatus.REJECTED
        assert_transition(LOT_TRANSITIONS, lot.status, target)
        lot.status = target
        lot.decided_at = timezone.now()
        audited_save(lot, by=by, reason=f"{lot.defectives} defective of {lot.sample_size}: {lot.status}")
        if lot.status == LotStatus.REJECTED:
            nonconformity_raise(
                source=lot,
                team=lot.team,
                severity="major",
                category="other",
                title=f"Sampling lot {lot.pk} rejected ({lot.defectives} defective of {lot.sample_size})",
                description=(
                    f"Post-publication sample of {lot.account or 'the team'}, {lot.period_start} to {lot.period_end}: "
                    f"{lot.defectives} failed reviews, reject number {lot.reject}."
                ),
                by=by,
            )
    return lot
