"""Social accounts, posts (one or many, idempotent on account + external id) and pre-checks."""

import json
from dataclasses import asdict

from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import User
from accounts.permissions import can_view_team
from core.broker import enqueue_on_commit
from core.exceptions import NotFound, PermissionDenied, ValidationError
from core.services import audited_save
from core.workflow import allowed_targets
from post_reviews import permissions as perms
from post_reviews.models import Post, PrecheckSettings, SocialAccount, Source
from post_reviews.platforms import Platform
from post_reviews.prechecks import RULE_IDS, Media, RuleConfig, run_prechecks
from post_reviews.workflow import ENGAGEMENT_FIELDS, REVIEW_TRANSITIONS, WAITING, ReviewState

# content_hash is re-exported: bulk_pg, imports and tests take it (and PostInput) from here.
from .content import PostInput, clean_media, content_hash, post_content_hash  # noqa: F401
from .engagement import assign_engagement, engagement_save_many

# --- accounts and settings ---------------------------------------------------------------------


# Handles are unique per team and platform: another team's accounts are none of its business.
_HANDLE_USED = "@{handle} is already registered on this platform in your team."


@transaction.atomic
def account_create(*, team_id: int, platform: str, handle: str, by: User, display_name: str = "") -> SocialAccount:
    if not can_view_team(by, team_id):
        raise NotFound("No such team.")
    if not perms.can_manage_posts(by, team_id):
        raise PermissionDenied("Your role can't add social accounts.")
    handle = handle.strip().lstrip("@")
    errors = {}
    if platform not in Platform.values:
        errors["platform"] = f"Unknown platform; one of {', '.join(Platform.values)}."
    if not handle:
        errors["handle"] = "A handle is required."
    elif SocialAccount.objects.filter(team_id=team_id, platform=platform, handle__iexact=handle).exists():
        errors["handle"] = _HANDLE_USED.format(handle=handle)
    if errors:
        raise ValidationError(errors)
    account = SocialAccount(team_id=team_id, platform=platform, handle=handle, display_name=display_name.strip())
    try:
        with transaction.atomic():
            audited_save(account, by=by, reason="account added")
    except IntegrityError as exc:  # the same handle added at the same moment
        raise ValidationError({"handle": _HANDLE_USED.format(handle=handle)}) from exc
    return account


def precheck_config_for(team_id: int) -> RuleConfig:
    settings_row = PrecheckSettings.objects.filter(team_id=team_id).first()
    if settings_row is None:
        return RuleConfig.default()
    default = RuleConfig.default()
    return RuleConfig(
        enabled=frozenset(settings_row.enabled_rules) & frozenset(RULE_IDS),
        disclosure_tokens=tuple(settings_row.disclosure_tokens) or default.disclosure_tokens,
        banned_terms=tuple(settings_row.banned_terms),
        restricted_terms=tuple(settings_row.restricted_terms),
        allowed_domains=tuple(settings_row.allowed_domains),
        utm_required_domains=tuple(settings_row.utm_required_domains),
    )


def _clean_list(values, field_name: str, errors: dict) -> list[str]:
    items = [str(v).strip() for v in values or [] if str(v).strip()]
    if len(items) > 500 or any(len(i) > 200 for i in items):
        errors[field_name] = "At most 500 entries of 200 characters each."
    return list(dict.fromkeys(items))


@transaction.atomic
def precheck_settings_update(
    *,
    team_id: int,
    by: User,
    enabled_rules: list[str],
    disclosure_tokens: list[str],
    banned_terms: list[str],
    restricted_terms: list[str],
    allowed_domains: list[str],
    utm_required_domains: list[str],
) -> PrecheckSettings:
    if not can_view_team(by, team_id):
        raise NotFound("No such team.")
    if not perms.can_manage_checklists(by, team_id):
        raise PermissionDenied("Only a QA manager can change the pre-check rules.")
    errors: dict[str, str] = {}
    unknown = set(enabled_rules) - set(RULE_IDS)
    if unknown:
        errors["enabled_rules"] = f"Unknown rules: {', '.join(sorted(unknown))}."
    values = {
        "enabled_rules": [r for r in RULE_IDS if r in set(enabled_rules)],
        "disclosure_tokens": _clean_list(disclosure_tokens, "disclosure_tokens", errors),
        "banned_terms": _clean_list(banned_terms, "banned_terms", errors),
        "restricted_terms": _clean_list(restricted_terms, "restricted_terms", errors),
        "allowed_domains": [
            d.lower().removeprefix("www.") for d in _clean_list(allowed_domains, "allowed_domains", errors)
        ],
        "utm_required_domains": [
            d.lower().removeprefix("www.") for d in _clean_list(utm_required_domains, "utm_required_domains", errors)
        ],
    }
    if not values["disclosure_tokens"] and "disclosure-missing" in values["enabled_rules"]:
        errors["disclosure_tokens"] = "The disclosure rule needs at least one token."
    if errors:
        raise ValidationError(errors)
    row = PrecheckSettings.objects.select_for_update().filter(team_id=team_id).first() or PrecheckSettings(
        team_id=team_id
    )
    for key, value in values.items():
        setattr(row, key, value)
    audited_save(row, by=by, reason="pre-check rules changed")
    from post_reviews.tasks import posts_recheck_team

    # Waiting posts are re-checked against the new rules in the worker, once the rules are saved.
    enqueue_on_commit(posts_recheck_team, team_id)  # a broker outage is logged, not a 500
    return row


# --- posts -------------------------------------------------------------------------------------


def _findings(post: Post, config: RuleConfig) -> list[dict]:
    media = [Media(type=m.get("type", ""), url=m.get("url", ""), alt_text=m.get("alt_text", "")) for m in post.media]
    findings = run_prechecks(
        text=post.text, platform=post.account.platform, media=media, sponsored=post.sponsored, config=config
    )
    return [{**asdict(f), "spans": [list(s) for s in f.spans]} for f in findings]


def _apply_prechecks(post: Post, config: RuleConfig, now) -> None:
    post.prechecks = _findings(post, config)
    post.precheck_failures = sum(1 for f in post.prechecks if f["severity"] in ("critical", "major"))
    post.prechecked_at = now


def post_precheck(*, post_id: int) -> Post | None:
    """Re-run the pre-checks of one post (after the team changes its rules, say). Idempotent."""
    post = Post.objects.select_related("account").filter(pk=post_id).first()
    if post is None:
        return None
    _apply_prechecks(post, precheck_config_for(post.team_id), timezone.now())
    # Pre-check results are excluded from the post's history on purpose (see Post.history): a
    # set-based UPDATE of them loses no audit trail.
    Post.objects.filter(pk=post.pk).update(
        prechecks=post.prechecks, precheck_failures=post.precheck_failures, prechecked_at=post.prechecked_at
    )
    return post


def _withdraw_review(post: Post) -> None:
    """A change to a reviewed field: the post goes back to the queue as "changed since review"
    (a post never reviewed stays waiting) and its approval for publishing is withdrawn."""
    if ReviewState.CHANGED in allowed_targets(REVIEW_TRANSITIONS, post.review_state):
        post.review_state = ReviewState.CHANGED
    post.approved_for_publishing = False


def _assign(post: Post, data: PostInput) -> list[str]:
    changed = []
    values = {
        "text": data.text,
        "url": data.url,
        "media": clean_media(data.media),
        "campaign": data.campaign.strip(),
        "sponsored": data.sponsored,
        "status": data.status,
        "scheduled_at": data.scheduled_at,
        "published_at": data.published_at,
        "author_name": data.author_name.strip()[:150],
    }
    for key, value in values.items():
        if getattr(post, key) != value:
            setattr(post, key, value)
            changed.append(key)
    return changed


@transaction.atomic
def posts_upsert_batch(
    *, account_by_id: dict[int, SocialAccount], items: list[tuple[int, PostInput]], source: str, by: User
) -> dict[str, list[Post]]:
    """Create or update many posts in one transaction, idempotently on (account, external id).

    A post whose reviewed content (``REVIEWED_FIELDS``) changed is marked "changed since review"
    (ISO 9001 8.5.6), loses its approval for publishing and has its pre-checks re-run; history
    rows are written in bulk. Returns created/updated/unchanged.
    """
    now = timezone.now()
    configs: dict[int, RuleConfig] = {}
    keys = {(account_id, data.external_id) for account_id, data in items}
    # Locked until the batch is written: a review committing meanwhile must not be overwritten
    # by this batch's stale review state.
    existing = {
        (p.account_id, p.external_id): p
        for p in Post.objects.select_for_update(of=("self",))
        .select_related("account")
        .filter(account_id__in={a for a, _ in keys}, external_id__in={e for _, e in keys})
    }
    created: list[Post] = []
    updated: list[Post] = []
    unchanged: list[Post] = []
    engagement_only: list[Post] = []  # stored without a history row (services/engagement.py)
    seen: set[tuple[int, str]] = set()
    for account_id, data in items:
        key = (account_id, data.external_id)
        if key in seen:
            continue  # the same post twice in one batch: the first wins
        seen.add(key)
        account = account_by_id[account_id]
        config = configs.get(account.team_id)
        if config is None:
            config = configs[account.team_id] = precheck_config_for(account.team_id)
        post = existing.get(key)
        if post is None:
            post = Post(account=account, team_id=account.team_id, external_id=data.external_id, source=source)
            _assign(post, data)
            post.content_hash = post_content_hash(post)
            if source in (Source.MANUAL, Source.API) and by is not None:
                post.author = by
            if source != Source.MANUAL:
                post.imported_by = by
            _apply_prechecks(post, config, now)
            assign_engagement(post, data, now)
            created.append(post)
            continue
        changed = _assign(post, data)
        engagement_changed = assign_engagement(post, data, now)
        if not changed:
            (engagement_only if engagement_changed else unchanged).append(post)
            continue
        new_hash = post_content_hash(post)
        if new_hash != post.content_hash:
            # Reviewed content changed: the approval is withdrawn and the pre-checks re-run.
            post.content_hash = new_hash
            _apply_prechecks(post, config, now)
            _withdraw_review(post)
            if by is not None and by.pk != post.author_id:
                post.imported_by = by  # who supplied the content now under review
        post.updated_at = now
        updated.append(post)
    with transaction.atomic():
        if created:
            bulk_create_with_history(
                created, Post, batch_size=1000, default_user=by, default_change_reason=f"{source} import"
            )
        if updated:
            bulk_update_with_history(
                updated,
                Post,
                fields=[
                    "text",
                    "url",
                    "media",
                    "campaign",
                    "sponsored",
                    "status",
                    "scheduled_at",
                    "published_at",
                    "author_name",
                    "imported_by",
                    "content_hash",
                    "prechecks",
                    "precheck_failures",
                    "prechecked_at",
                    "review_state",
                    "approved_for_publishing",
                    "updated_at",
                    *ENGAGEMENT_FIELDS,
                ],
                batch_size=1000,
                default_user=by,
                default_change_reason=f"{source}: content changed",
            )
        engagement_save_many(engagement_only)
    return {"created": created, "updated": updated + engagement_only, "unchanged": unchanged}


def posts_upsert_many(*, items: list[tuple[int, PostInput]], source: str, by: User) -> list[tuple[Post, str]]:
    """Posts from the form or the API, all or nothing. ``items`` are (account id, post).

    Returns (post, "created" | "updated" | "unchanged") in the order given. Another team's
    account is NotFound; bad posts are a ValidationError keyed by their position.
    """
    accounts = {a.pk: a for a in SocialAccount.objects.filter(pk__in={a for a, _ in items})}
    errors: dict[str, dict] = {}
    for i, (account_id, data) in enumerate(items):
        account = accounts.get(account_id)
        if account is None or not can_view_team(by, account.team_id):
            raise NotFound("No such social account.")
        if not perms.can_manage_posts(by, account.team_id):
            raise PermissionDenied("Your role can't add posts.")
        problems = data.errors()
        if problems:
            errors[str(i)] = {field: [message] for field, message in problems.items()}
    if errors:
        raise ValidationError(errors)
    result = posts_upsert_batch(account_by_id=accounts, items=items, source=source, by=by)
    outcome = {(p.account_id, p.external_id): (p, name) for name in result for p in result[name]}
    return [outcome[(account_id, data.external_id)] for account_id, data in items]


def post_upsert(*, account_id: int, data: PostInput, source: str, by: User) -> tuple[Post, str]:
    """One post from the form or the API; bad fields are reported by name."""
    try:
        return posts_upsert_many(items=[(account_id, data)], source=source, by=by)[0]
    except ValidationError:
        raise ValidationError(data.errors()) from None


def posts_recheck_waiting(*, team_id: int) -> int:
    """Re-run pre-checks on a team's posts still waiting for review, after its rules changed."""
    ids = list(Post.objects.filter(team_id=team_id, review_state__in=WAITING).values_list("pk", flat=True)[:50_000])
    return post_precheck_many(post_ids=ids)


def post_precheck_many(*, post_ids: list[int]) -> int:
    """Pre-check many posts (after a bulk import) with one UPDATE per chunk. Idempotent.

    Pre-check results are excluded from the post's history (re-running them is not a change of
    the post), so a set-based UPDATE loses no audit trail.
    """
    from django.db import connection

    done = 0
    configs: dict[int, RuleConfig] = {}
    now = timezone.now()
    for start in range(0, len(post_ids), 1000):
        chunk = post_ids[start : start + 1000]
        ids, findings, failures = [], [], []
        posts = list(Post.objects.select_related("account").filter(pk__in=chunk))
        for post in posts:
            config = configs.get(post.team_id)
            if config is None:
                config = configs[post.team_id] = precheck_config_for(post.team_id)
            _apply_prechecks(post, config, now)
            ids.append(post.pk)
            findings.append(json.dumps(post.prechecks))
            failures.append(post.precheck_failures)
        if connection.vendor != "postgresql":  # SQLite (`make run`): the ORM's batched UPDATE
            Post.objects.bulk_update(posts, ["prechecks", "precheck_failures", "prechecked_at"])
            done += len(ids)
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE post_reviews_post AS p SET prechecks = v.prechecks::jsonb, precheck_failures = v.failures, "
                "prechecked_at = %s FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS prechecks, "
                "unnest(%s::int[]) AS failures) AS v WHERE p.id = v.id",
                [now, ids, findings, failures],
            )
        done += len(ids)
    return done
