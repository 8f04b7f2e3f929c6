"""Checklists built from effective SOP versions, and post reviews with defects."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import can_view_team
from capa.services import nonconformity_raise
from core.exceptions import NotFound, PermissionDenied, ValidationError
from core.services import audited_save
from core.workflow import assert_transition
from docs_control.selectors import version_get_for
from docs_control.workflow import Status as VersionStatus
from post_reviews import permissions as perms
from post_reviews.models import (
    Checklist,
    ChecklistItem,
    Defect,
    DefectCategory,
    ItemResult,
    Outcome,
    Post,
    PostReview,
    ReviewItem,
    SamplingLot,
    Severity,
    Stage,
)
from post_reviews.prechecks import RULE_IDS
from post_reviews.workflow import REVIEW_TRANSITIONS, ReviewState

MAX_REVIEW_SECONDS = 4 * 60 * 60


@transaction.atomic
def checklist_create(*, version_id: int, name: str, items: list[dict], by: User) -> Checklist:
    """A checklist from an effective SOP version; each item cites its SOP section."""
    version = version_get_for(by, version_id=version_id)  # NotFound for another team's
    if not can_view_team(by, version.document.team_id):
        raise NotFound("No such document version.")
    team_id = version.document.team_id
    if not perms.can_manage_checklists(by, team_id):
        raise PermissionDenied("Only a QA manager can build checklists.")
    errors: dict[str, str] = {}
    if version.status != VersionStatus.EFFECTIVE:
        errors["version"] = "A checklist is built from the version in force."
    if not name.strip():
        errors["name"] = "A checklist needs a name."
    if not items:
        errors["items"] = "Add at least one item."
    for i, item in enumerate(items, start=1):
        if not str(item.get("criterion", "")).strip():
            errors["items"] = f"Item {i}: the criterion is empty."
        elif item.get("category", DefectCategory.OTHER) not in DefectCategory.values:
            errors["items"] = f"Item {i}: unknown category."
        elif item.get("severity", Severity.MAJOR) not in Severity.values:
            errors["items"] = f"Item {i}: unknown severity."
        elif item.get("precheck_rule") and item["precheck_rule"] not in RULE_IDS:
            errors["items"] = f"Item {i}: unknown pre-check rule."
    if errors:
        raise ValidationError(errors)
    checklist = Checklist(team_id=team_id, name=name.strip(), document_version=version, created_by=by)
    audited_save(checklist, by=by, reason="checklist created")
    for order, item in enumerate(items, start=1):
        row = ChecklistItem(
            checklist=checklist,
            order=order,
            criterion=str(item["criterion"]).strip()[:300],
            category=item.get("category", DefectCategory.OTHER),
            severity=item.get("severity", Severity.MAJOR),
            sop_section=str(item.get("sop_section", "")).strip()[:60],
            precheck_rule=item.get("precheck_rule", "") or "",
        )
        audited_save(row, by=by, reason="checklist created")
    return checklist


@dataclass
class ReviewInput:
    post_id: int
    checklist_id: int
    stage: str
    results: dict[int, str]  # checklist item id -> pass / fail / na
    # {"category", "severity", "note", "item"}: item is the failed checklist item's id, or None
    defects: list[dict] = field(default_factory=list)
    notes: str = ""
    started_at: datetime | None = None
    sampling_lot_id: int | None = None


def _outcome(items: list[ChecklistItem], results: dict[int, str], defects: list[dict]) -> tuple[str, Decimal]:
    severities = [i.severity for i in items if results[i.pk] == ItemResult.FAIL] + [d["severity"] for d in defects]
    applicable = [i for i in items if results[i.pk] != ItemResult.NOT_APPLICABLE]
    passed = sum(1 for i in applicable if results[i.pk] == ItemResult.PASS)
    score = Decimal(100 * passed / len(applicable)).quantize(Decimal("0.1")) if applicable else Decimal("100.0")
    if any(s in (Severity.CRITICAL, Severity.MAJOR) for s in severities):
        return Outcome.FAIL, score
    if severities:
        return Outcome.PASS_MINOR, score
    return Outcome.PASS, score


def _item_defects(items: list[ChecklistItem], results: dict[int, str], given: list[dict]) -> list[dict]:
    """A failed item marked critical or major if failed records a defect of its category and
    severity, so the NC rule applies; a defect the reviewer gives for that item replaces it."""
    covered = {d.get("item") for d in given}
    return [
        {"category": i.category, "severity": i.severity, "note": i.criterion, "item": i.pk}
        for i in items
        if results[i.pk] == ItemResult.FAIL
        and i.severity in (Severity.CRITICAL, Severity.MAJOR)
        and i.pk not in covered
    ]


def review_submit(*, data: ReviewInput, by: User) -> PostReview:
    """Record a review. A critical or major defect raises a nonconformity (capa), one per defect;
    a failed critical or major checklist item records such a defect unless one is given for it.

    The review supersedes the previous one of the same post and stage; it is never edited.
    """
    with transaction.atomic():
        post = (
            # Lock the post's row only: reviewers of other posts of the team must not wait.
            Post.objects.select_for_update(of=("self",))
            .select_related("account", "team")
            .filter(pk=data.post_id)
            .first()
        )
        if post is None or not can_view_team(by, post.team_id):
            raise NotFound("No such post.")
        if not perms.can_review(by, post.team_id):
            raise PermissionDenied("Your role can't review posts.")
        checklist = (
            Checklist.objects.select_related("document_version__document")
            .filter(pk=data.checklist_id, team_id=post.team_id, active=True)
            .first()
        )
        errors: dict[str, str] = {}
        if checklist is None:
            raise ValidationError({"checklist": "Choose an active checklist of the post's team."})
        items = list(checklist.items.all())
        if data.stage not in Stage.values:
            errors["stage"] = "Stage must be pre_publication or post_publication."
        missing = [i.order for i in items if data.results.get(i.pk) not in ItemResult.values]
        if missing:
            errors["results"] = (
                f"Give every item a result (pass, fail or n/a); missing: {', '.join(map(str, missing))}."
            )
        unknown = set(data.results) - {i.pk for i in items}
        if unknown:
            errors["results"] = "Results name items that are not on this checklist."
        if data.sampling_lot_id is not None:
            lot = SamplingLot.objects.filter(pk=data.sampling_lot_id, team_id=post.team_id).first()
            if lot is None or post.pk not in lot.sample_post_ids or data.stage != Stage.POST_PUBLICATION:
                errors["sampling_lot"] = "The post is not in this sampling lot's sample (post-publication reviews)."
        by_id = {i.pk: i for i in items}
        for i, d in enumerate(data.defects, start=1):
            if d.get("category") not in DefectCategory.values or d.get("severity") not in Severity.values:
                errors["defects"] = f"Defect {i}: choose a category and a severity."
            elif d.get("item") is not None and (
                d["item"] not in by_id or data.results.get(d["item"]) != ItemResult.FAIL
            ):
                errors["defects"] = f"Defect {i}: its checklist item is not a failed item of this checklist."
        if errors:
            raise ValidationError(errors)
        defects = [*data.defects, *_item_defects(items, data.results, data.defects)]
        outcome, score = _outcome(items, data.results, defects)
        if (
            data.stage == Stage.PRE_PUBLICATION
            and outcome != Outcome.FAIL
            and not perms.can_approve_for_publishing(by, post)
        ):
            raise PermissionDenied("The author or importer of a post can't pass its pre-publication review.")
        now = timezone.now()
        spent = 0
        if data.started_at is not None:
            spent = int(
                max(timedelta(0), min(now - data.started_at, timedelta(seconds=MAX_REVIEW_SECONDS))).total_seconds()
            )
        previous = (
            PostReview.objects.filter(post=post, stage=data.stage, superseded_by__isnull=True).order_by("-id").first()
        )
        review = PostReview.objects.create(
            post=post,
            team_id=post.team_id,
            reviewer=by,
            checklist=checklist,
            checklist_version=f"{checklist.document_version.document.number} v{checklist.document_version.label}",
            stage=data.stage,
            outcome=outcome,
            score=score,
            time_spent_seconds=spent,
            post_content_hash=post.content_hash,
            notes=data.notes.strip()[:5000],
            supersedes=previous,
            sampling_lot_id=data.sampling_lot_id,
            submitted_at=now,
        )
        ReviewItem.objects.bulk_create(
            [
                ReviewItem(
                    review=review,
                    item=i,
                    result=data.results[i.pk],
                    prefilled=bool(i.precheck_rule),
                )
                for i in items
            ]
        )
        defects = Defect.objects.bulk_create(
            [
                Defect(
                    review=review,
                    post=post,
                    team_id=post.team_id,
                    category=d["category"],
                    severity=d["severity"],
                    checklist_item_id=d.get("item"),
                    note=str(d.get("note", "")).strip()[:2000],
                )
                for d in defects
            ]
        )
        target = ReviewState.FAILED if outcome == Outcome.FAIL else ReviewState.PASSED
        assert_transition(REVIEW_TRANSITIONS, post.review_state, target)
        post.review_state = target
        if data.stage == Stage.PRE_PUBLICATION:
            post.approved_for_publishing = outcome != Outcome.FAIL
        audited_save(post, by=by, reason=f"reviewed: {outcome}", fields=["review_state", "approved_for_publishing"])
        for defect in defects:
            if defect.severity in (Severity.CRITICAL, Severity.MAJOR):
                nonconformity_raise(
                    source=defect,
                    team=post.team,
                    severity=defect.severity,
                    category=defect.category,
                    title=f"{defect.get_severity_display()} {defect.get_category_display().lower()} defect in {post}",
                    description=defect.note or f"Found in the review of {post} ({post.url or 'no URL'}).",
                    by=by,
                )
        if data.sampling_lot_id:
            # In the same transaction: the review and the lot's decision land together.
            from .lots import sampling_lot_evaluate

            sampling_lot_evaluate(lot_id=data.sampling_lot_id, by=by)
    return review
