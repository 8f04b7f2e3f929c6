"""Every read of post reviews, scoped to the user's teams. Lists page by keyset, never OFFSET."""

import heapq
from dataclasses import dataclass, replace

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Count, F, OuterRef, Prefetch, QuerySet, Sum

from accounts.models import User
from accounts.permissions import team_ids_of
from core.exceptions import NotFound
from docs_control.selectors import other_version_in_force

from .models import (
    Checklist,
    ChecklistItem,
    Defect,
    ImportRun,
    LotStatus,
    Post,
    PostReview,
    QueueCount,
    SamplingLot,
    SocialAccount,
)
from .workflow import WAITING

QUEUE_PAGE = 50


def account_list_for(user: User) -> QuerySet[SocialAccount]:
    return SocialAccount.objects.filter(team_id__in=team_ids_of(user)).select_related("team")


def post_list_for(user: User) -> QuerySet[Post]:
    return Post.objects.filter(team_id__in=team_ids_of(user)).select_related("account")


def post_get_for(user: User, *, post_id: int) -> Post:
    post = post_list_for(user).select_related("team", "author").filter(pk=post_id).first()
    if post is None:
        raise NotFound("No such post.")
    return post


@dataclass
class QueueFilters:
    team_ids: set[int]
    account: int | None = None
    platform: str = ""
    campaign: str = ""
    stage: str = ""  # pre_publication: drafts and scheduled posts; post_publication: published ones


def accounts_on_platform(team_ids: set[int], platform: str) -> list[int]:
    """A platform filter as a short list of account ids: the posts table is then read through
    its (team, ...) indexes instead of being joined to accounts row by row."""
    return list(SocialAccount.objects.filter(team_id__in=team_ids, platform=platform).values_list("pk", flat=True))


def _queue_base(f: QueueFilters) -> QuerySet[Post]:
    qs = Post.objects.filter(team_id__in=f.team_ids, review_state__in=WAITING)
    if f.account:
        qs = qs.filter(account_id=f.account)
    if f.platform:
        qs = qs.filter(account_id__in=accounts_on_platform(f.team_ids, f.platform))
    if f.campaign:
        qs = qs.filter(campaign=f.campaign)
    if f.stage == "pre_publication":
        qs = qs.exclude(status="published")
    elif f.stage == "post_publication":
        qs = qs.filter(status="published")
    return qs


QUEUE_ORDER = ("-precheck_failures", "id")


def review_queue(f: QueueFilters, *, after: tuple[int, int] | None = None, limit: int = QUEUE_PAGE) -> list[Post]:
    """Waiting posts, pre-check failures first, then oldest first. Keyset paging on
    (precheck_failures DESC, id ASC): any page costs the same, however deep or long the backlog.

    On PostgreSQL each account's page is read in order from the per-account queue index, all
    in one query, and the pages merged (`_grouped_top`): a filter to several teams or accounts
    can't be read in one index's order (PostgreSQL would sort the whole matching backlog). Only
    accounts the counts (`QueueCount`) say have matching posts are read, so a filter that
    matches nothing reads no index at all.
    """
    if connection.vendor != "postgresql":  # SQLite (`make run`): small, read as it comes
        qs, group = _queue_base(f).order_by(*QUEUE_ORDER), None
    else:
        qs = _queue_base(replace(f, platform="", account=None)).order_by(*QUEUE_ORDER)
        outer = SocialAccount.objects.filter(
            team_id__in=f.team_ids, pk__in=_counts(f).filter(waiting__gt=0).values("account_id")
        )
        if f.account:
            outer = outer.filter(pk=f.account)
        if f.platform:
            outer = outer.filter(platform=f.platform)
        group = (outer, {"team_id": "team_id", "account_id": "pk"})

    def top(q: QuerySet[Post], n: int) -> list[Post]:
        return _grouped_top(q, *group, n) if group else list(q.select_related("account")[:n])

    if after is None:
        return top(qs, limit)
    # The keyset "after (failures, id)" as two index range scans: the rest of this failure level,
    # then the lower levels. One OR-ed condition can't be an index condition and walks the backlog.
    failures, last_id = after
    page = top(qs.filter(precheck_failures=failures, id__gt=last_id), limit)
    if len(page) < limit:
        page += top(qs.filter(precheck_failures__lt=failures), limit - len(page))
    return page


def _grouped_top(qs: QuerySet[Post], outer: QuerySet, refs: dict[str, str], limit: int) -> list[Post]:
    """The first ``limit`` posts of ``qs`` (ordered) over the groups ``outer`` lists: per group
    an ordered, index-only read of at most ``limit`` (failures, id) keys (``refs`` pins the
    index's leading columns to the group's), merged here; then only the page's posts by id."""
    per_group = qs.filter(**{k: OuterRef(v) for k, v in refs.items()})[:limit]
    groups = outer.order_by().annotate(
        ids=ArraySubquery(per_group.values("id")), failures=ArraySubquery(per_group.values("precheck_failures"))
    )
    rows = groups.values_list("ids", "failures")
    keys = heapq.nsmallest(limit, ((-f, i) for ids, fails in rows for f, i in zip(fails, ids, strict=True)))
    if not keys:
        return []
    return list(Post.objects.filter(pk__in=[i for _, i in keys]).select_related("account").order_by(*QUEUE_ORDER))


def _counts(f: QueueFilters) -> QuerySet[QueueCount]:
    """The kept counts of the teams, stage and campaign of ``f`` (PostgreSQL)."""
    qs = QueueCount.objects.filter(team_id__in=f.team_ids)
    if f.stage in ("pre_publication", "post_publication"):
        qs = qs.filter(published=f.stage == "post_publication")
    if f.campaign:
        qs = qs.filter(campaign=f.campaign)
    return qs


def queue_counts(f: QueueFilters) -> dict:
    """How many posts wait per account and per platform. On PostgreSQL from the counts the
    triggers keep (`post_reviews.queue_counts`): a few rows per account, however long the
    backlog; elsewhere one grouped count over the waiting posts. Then the (few) accounts by id."""
    if connection.vendor == "postgresql":
        counts = dict(_counts(f).values_list("account_id").annotate(n=Sum("waiting")).filter(n__gt=0).order_by())
    else:
        base = QueueFilters(team_ids=f.team_ids, stage=f.stage, campaign=f.campaign)
        counts = dict(_queue_base(base).values_list("account_id").annotate(n=Count("account_id")).order_by())
    accounts = SocialAccount.objects.filter(pk__in=counts).order_by("platform", "handle")
    rows = [
        {"account_id": a.pk, "account__handle": a.handle, "account__platform": a.platform, "n": counts[a.pk]}
        for a in accounts
    ]
    platforms: dict[str, int] = {}
    for r in rows:
        platforms[r["account__platform"]] = platforms.get(r["account__platform"], 0) + r["n"]
    return {"accounts": rows, "platforms": platforms, "total": sum(counts.values())}


def next_in_queue(user: User, *, after_post: Post, f: QueueFilters | None = None) -> Post | None:
    f = f or QueueFilters(team_ids=team_ids_of(user))
    following = review_queue(f, after=(after_post.precheck_failures, after_post.pk), limit=1)
    if following:
        return following[0]
    first = review_queue(f, limit=2)
    return next((p for p in first if p.pk != after_post.pk), None)


def review_list_for(user: User) -> QuerySet[PostReview]:
    return PostReview.objects.filter(team_id__in=team_ids_of(user)).select_related(
        "post__account", "reviewer", "checklist"
    )


def review_get_for(user: User, *, review_id: int) -> PostReview:
    review = review_list_for(user).prefetch_related("items__item", "defects").filter(pk=review_id).first()
    if review is None:
        raise NotFound("No such review.")
    return review


def reviews_of_post(post: Post) -> list[PostReview]:
    """Newest first; each knows whether the post changed since it was reviewed."""
    reviews = list(
        PostReview.objects.filter(post=post)
        .select_related("reviewer", "checklist")
        .prefetch_related("defects")
        .order_by("-id")
    )
    for review in reviews:
        review.changed_since_review = review.post_content_hash != post.content_hash
    return reviews


def nonconformities_of_post(user: User, post: Post) -> list:
    """The nonconformities the post's defects raised, read through capa's selectors."""
    from capa.selectors import nonconformities_raised_by

    defect_ids = Defect.objects.filter(post=post).values_list("pk", flat=True)
    return list(nonconformities_raised_by(user, model=Defect, ids=defect_ids))


def checklist_list_for(user: User) -> QuerySet[Checklist]:
    revised = other_version_in_force(
        document_id=OuterRef("document_version__document_id"), version_id=OuterRef("document_version_id")
    )
    return (
        Checklist.objects.filter(team_id__in=team_ids_of(user))
        .select_related("document_version__document", "team")
        .annotate(sop_revised=revised)
        .prefetch_related(Prefetch("items", queryset=ChecklistItem.objects.order_by("order", "id")))
    )


def checklist_get_for(user: User, *, checklist_id: int) -> Checklist:
    checklist = checklist_list_for(user).filter(pk=checklist_id).first()
    if checklist is None:
        raise NotFound("No such checklist.")
    return checklist


def checklist_for_post(user: User, post: Post) -> Checklist | None:
    return checklist_list_for(user).filter(team_id=post.team_id, active=True).order_by("-id").first()


def import_run_list_for(user: User) -> QuerySet[ImportRun]:
    return ImportRun.objects.filter(team_id__in=team_ids_of(user)).select_related("uploaded_by")


def import_run_get_for(user: User, *, run_id: int) -> ImportRun:
    run = import_run_list_for(user).filter(pk=run_id).first()
    if run is None:
        raise NotFound("No such import.")
    return run


def lot_list_for(user: User) -> QuerySet[SamplingLot]:
    return SamplingLot.objects.filter(team_id__in=team_ids_of(user)).select_related("account", "created_by")


def lot_get_for(user: User, *, lot_id: int) -> SamplingLot:
    lot = lot_list_for(user).filter(pk=lot_id).first()
    if lot is None:
        raise NotFound("No such sampling lot.")
    return lot


def lot_sample(lot: SamplingLot) -> list[dict]:
    posts = {p.pk: p for p in Post.objects.filter(pk__in=lot.sample_post_ids).select_related("account")}
    reviews = {
        r.post_id: r
        for r in PostReview.objects.filter(
            post_id__in=lot.sample_post_ids, stage="post_publication", submitted_at__gte=lot.created_at
        )
        .select_related("reviewer")
        .order_by("id")
    }
    rows = [{"post": posts.get(pid), "review": reviews.get(pid)} for pid in lot.sample_post_ids]
    for row in rows:
        row["can_review"] = row["post"] is not None and row["review"] is None and lot.status == LotStatus.OPEN
    return rows


FLAGGED_SHOWN = 1000  # the home page says "1000+" beyond this: it needn't count a whole backlog


def dashboard_panel(request) -> dict:
    """The home page's queue figures without reading the whole backlog: the waiting count from
    the kept counts (PostgreSQL; SQLite counts), the failed-pre-check count up to FLAGGED_SHOWN."""
    team_ids = team_ids_of(request.user)
    waiting = Post.objects.filter(team_id__in=team_ids, review_state__in=WAITING)
    if connection.vendor == "postgresql":
        total = QueueCount.objects.filter(team_id__in=team_ids).aggregate(n=Sum("waiting"))["n"] or 0
    else:
        total = waiting.count()
    flagged = waiting.filter(precheck_failures__gt=0)[: FLAGGED_SHOWN + 1].count()
    return {
        "template": "post_reviews/_dashboard_panel.html",
        "waiting": total,
        "flagged": min(flagged, FLAGGED_SHOWN),
        "flagged_more": flagged > FLAGGED_SHOWN,
    }


# --- what the metrics rollups read (the ORM path used without PostgreSQL) -----------------------


def reviews_for_rollup():
    return PostReview.objects.values(
        "submitted_at",
        "team_id",
        "stage",
        "outcome",
        "time_spent_seconds",
        account_id=F("post__account_id"),
        platform=F("post__account__platform"),
    ).iterator(chunk_size=2000)


def defects_for_rollup():
    return Defect.objects.values(
        "category",
        "severity",
        "team_id",
        submitted_at=F("review__submitted_at"),
        account_id=F("post__account_id"),
        platform=F("post__account__platform"),
    ).iterator(chunk_size=2000)


def posts_for_rollup():
    """Posts with a day (published or scheduled) and whether any review exists, for the ORM rollup."""
    from django.db.models import Exists, OuterRef, Q

    from .workflow import ENGAGEMENT_COUNTERS

    return (
        Post.objects.filter(Q(published_at__isnull=False) | Q(scheduled_at__isnull=False))
        .values(
            "team_id",
            "account_id",
            "status",
            "published_at",
            "scheduled_at",
            "prechecks",
            "precheck_failures",
            *ENGAGEMENT_COUNTERS,
            platform=F("account__platform"),
            reviewed=Exists(PostReview.objects.filter(post_id=OuterRef("pk"))),
        )
        .iterator(chunk_size=2000)
    )


def account_labels(account_ids) -> dict[int, str]:
    """Each account named as the filters name it ("X @brand"), by id. For ids already scoped to
    the user's teams (rollup rows)."""
    accounts = SocialAccount.objects.filter(pk__in=set(account_ids))
    return {a.pk: f"{a.get_platform_display()} @{a.handle}" for a in accounts}


def defect_category_choices() -> list[tuple[str, str]]:
    from .models import DefectCategory

    return list(DefectCategory.choices)
