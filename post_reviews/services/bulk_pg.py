"""The PostgreSQL fast path for imports: COPY into a staging table, then set-based upserts.

Semantics match ``posts_upsert_batch`` (the ORM path SQLite uses): idempotent on (account,
external id), a batch holds one row per post (the caller keeps the first), a change to the
reviewed content (``REVIEWED_FIELDS``, which the content hash covers) marks the post "changed
since review", withdraws its publishing approval and records the importing user as
``imported_by``, and every created or changed post gets a history row with the importing user
and a reason. Pre-checks run after the batch
(``posts_precheck_many``), so the import itself stays close to COPY speed.

The work is split so that the importing thread only talks to the database: ``copy_line`` turns a
validated row into a line of COPY text and can run in a parsing thread beside it, while
``posts_copy_upsert`` sends a batch of such lines and runs four statements over them. What each
step costs is measured by ``bench/import_csv.py`` (docs/imports.md has the figures).
"""

import json

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from post_reviews.workflow import ENGAGEMENT_COUNTERS, REVIEW_TRANSITIONS, ReviewState

from .posts import PostInput, clean_media, content_hash

_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS qms_post_staging (
    account_id bigint, team_id bigint, external_id text, url text, text text, media text,
    campaign text, author_name text, sponsored boolean, status text, scheduled_at timestamptz,
    published_at timestamptz, content_hash text, {counters}
) ON COMMIT DELETE ROWS
""".format(counters=", ".join(f"{c} bigint" for c in ENGAGEMENT_COUNTERS))
_COPY = (
    "COPY qms_post_staging (account_id, team_id, external_id, url, text, media, campaign, author_name, "
    f"sponsored, status, scheduled_at, published_at, content_hash, {', '.join(ENGAGEMENT_COUNTERS)}) FROM STDIN"
)
_COUNTERS = ", ".join(ENGAGEMENT_COUNTERS)

# The columns the post and its history row share (the pre-check results have no history).
_FIELDS = (
    "external_id, url, text, media, campaign, author_name, sponsored, status, scheduled_at, published_at, "
    "source, content_hash, review_state, approved_for_publishing, created_at, author_id, imported_by_id, "
    "team_id, account_id"
)

# Built from the constant column lists above; values are always bound parameters. The new posts
# and their history rows are written by one statement: the history rows come from the rows just
# inserted, not from a second read of the posts table.
_INSERT = f"""
WITH new_posts AS (
    INSERT INTO post_reviews_post (
        {_FIELDS}, precheck_failures, prechecks, prechecked_at, updated_at, {_COUNTERS}, engagement_updated_at
    )
    SELECT
        s.external_id, s.url, s.text, s.media::jsonb, s.campaign, s.author_name, s.sponsored, s.status,
        s.scheduled_at, s.published_at, %(source)s, s.content_hash, %(pending)s, false, %(now)s, NULL,
        %(user)s, s.team_id, s.account_id, 0, '[]'::jsonb, NULL, %(now)s,
        {", ".join(f"s.{c}" for c in ENGAGEMENT_COUNTERS)},
        CASE WHEN num_nonnulls({", ".join(f"s.{c}" for c in ENGAGEMENT_COUNTERS)}) > 0 THEN %(now)s END
    FROM qms_post_staging s
    WHERE NOT EXISTS (
        SELECT 1 FROM post_reviews_post p WHERE p.account_id = s.account_id AND p.external_id = s.external_id
    )
    {{conflict}}
    RETURNING {_FIELDS}, id
)
INSERT INTO post_reviews_historicalpost
    ({_FIELDS}, id, history_date, history_change_reason, history_type, history_user_id)
SELECT {_FIELDS}, id, %(now)s, %(reason)s, '+', %(user)s FROM new_posts
RETURNING id
"""  # noqa: S608

_UPDATE = """
UPDATE post_reviews_post p SET
    url = s.url, text = s.text, media = s.media::jsonb, campaign = s.campaign, author_name = s.author_name,
    sponsored = s.sponsored, status = s.status, scheduled_at = s.scheduled_at, published_at = s.published_at,
    updated_at = %(now)s,
    content_hash = s.content_hash,
    review_state = CASE
        WHEN s.old_hash <> s.content_hash AND p.review_state = ANY(%(to_changed)s) THEN %(changed)s
        ELSE p.review_state END,
    approved_for_publishing = CASE WHEN s.old_hash <> s.content_hash THEN false ELSE p.approved_for_publishing END,
    imported_by_id = CASE
        WHEN s.old_hash <> s.content_hash AND p.author_id IS DISTINCT FROM %(user)s THEN %(user)s
        ELSE p.imported_by_id END
FROM (
    -- The FROM clause sees the rows as they were before this UPDATE: old_hash is the previous content.
    SELECT st.*, p0.id AS post_id, p0.content_hash AS old_hash
    FROM qms_post_staging st
    JOIN post_reviews_post p0 ON p0.account_id = st.account_id AND p0.external_id = st.external_id
    WHERE (p0.content_hash, p0.url, p0.campaign, p0.author_name, p0.sponsored, p0.status, p0.scheduled_at,
           p0.published_at)
          IS DISTINCT FROM
          (st.content_hash, st.url, st.campaign, st.author_name, st.sponsored, st.status, st.scheduled_at,
           st.published_at)
) s
WHERE p.id = s.post_id
RETURNING p.id, s.old_hash <> s.content_hash AS content_changed
"""

# Engagement is not in the post's history (see Post.history) and not reviewed content: a counter
# the row states replaces the stored one, a counter it leaves empty keeps it, and nothing else of
# the post moves. Rows that state no counter are filtered out of the staging scan.
_ENGAGEMENT = f"""
UPDATE post_reviews_post p SET
    {", ".join(f"{c} = coalesce(s.{c}, p.{c})" for c in ENGAGEMENT_COUNTERS)},
    engagement_updated_at = %(now)s
FROM qms_post_staging s
WHERE p.account_id = s.account_id AND p.external_id = s.external_id
  AND num_nonnulls({", ".join(f"s.{c}" for c in ENGAGEMENT_COUNTERS)}) > 0
  AND ({", ".join(f"coalesce(s.{c}, p.{c})" for c in ENGAGEMENT_COUNTERS)})
      IS DISTINCT FROM ({", ".join(f"p.{c}" for c in ENGAGEMENT_COUNTERS)})
RETURNING p.id
"""  # noqa: S608

_HISTORY = f"""
INSERT INTO post_reviews_historicalpost
    (id, {_FIELDS}, history_date, history_change_reason, history_type, history_user_id)
SELECT id, {_FIELDS}, %(now)s, %(reason)s, '~', %(user)s FROM post_reviews_post WHERE id = ANY(%(ids)s)
"""  # noqa: S608

# COPY's text format: tab between fields, \N for NULL, and backslash escapes inside a field.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _field(value: str) -> str:
    return value.translate(_ESCAPES)


def _when(value) -> str:
    return "\\N" if value is None else value.isoformat()


def copy_line(account_id: int, team_id: int, p: PostInput) -> str:
    """One staged row as a line of COPY text. Pure Python: it runs in the parsing thread."""
    media = clean_media(p.media) if p.media else []
    campaign = p.campaign.strip()
    media_json = json.dumps(media, separators=(",", ":"), ensure_ascii=False) if media else "[]"
    return "\t".join(
        (
            str(account_id), str(team_id), _field(p.external_id), _field(p.url), _field(p.text),
            _field(media_json), _field(campaign), _field(p.author_name.strip()[:150]),
            "t" if p.sponsored else "f", _field(p.status), _when(p.scheduled_at), _when(p.published_at),
            content_hash(
                p.text, media, url=p.url, campaign=campaign, sponsored=p.sponsored, scheduled_at=p.scheduled_at
            ),
            *("\\N" if (v := getattr(p, c)) is None else str(v) for c in ENGAGEMENT_COUNTERS),
        )
    ) + "\n"  # fmt: skip


def posts_copy_upsert(*, lines: list[str], source: str, by) -> dict[str, list[int]]:
    """Upsert a batch of ``copy_line`` rows (already validated) in one transaction.

    A batch is committed without waiting for the write-ahead log to reach the disk
    (synchronous_commit off for this transaction only). The progress update after each batch is
    an ordinary commit, which flushes the log up to it, so a database crash can lose at most the
    batch in flight; the run then shows fewer rows than the file and importing the file again
    (idempotent) completes it.
    """
    now = timezone.now()
    user = by.pk if by is not None else None
    with transaction.atomic(), connection.cursor() as cursor:
        # A batch is small next to the posts table, and the staging table has no statistics:
        # probing the (account, external id) unique index per staged row beats hashing or sorting
        # the whole table once per batch. One round trip for the settings of this transaction.
        cursor.execute(
            "SELECT set_config('synchronous_commit', 'off', true), set_config('enable_hashjoin', 'off', true), "
            "set_config('enable_mergejoin', 'off', true)"
        )
        cursor.execute(_STAGING)
        with cursor.cursor.copy(_COPY) as copy:
            copy.write("".join(lines))
        # Update the posts that exist first, then insert the rest: the update never sees the new rows.
        cursor.execute(
            _UPDATE,
            {
                "now": now,
                # The states that may become "changed since review" (a post never reviewed stays waiting).
                "to_changed": [
                    str(state) for state, targets in REVIEW_TRANSITIONS.items() if ReviewState.CHANGED in targets
                ],
                "changed": ReviewState.CHANGED,
                "user": user,
            },
        )
        changes = cursor.fetchall()
        updated = [row[0] for row in changes]
        content_changed = [row[0] for row in changes if row[1]]
        cursor.execute(_ENGAGEMENT, {"now": now})
        engagement_only = {row[0] for row in cursor.fetchall()} - set(updated)
        params = {"source": source, "pending": ReviewState.PENDING, "now": now, "reason": f"{source} import"}
        params["user"] = user
        try:
            # Plain INSERT of the rows the anti-join found new: a unique-index probe per row is far
            # cheaper than ON CONFLICT's speculative insertion. Only when another import commits
            # the same posts in between does the batch retry, skipping what now exists.
            with transaction.atomic():
                cursor.execute(_INSERT.format(conflict=""), params)
        except IntegrityError:
            cursor.execute(_INSERT.format(conflict="ON CONFLICT (account_id, external_id) DO NOTHING"), params)
        created = [row[0] for row in cursor.fetchall()]
        if updated:
            cursor.execute(_HISTORY, {"now": now, "reason": f"{source}: content changed", "user": user, "ids": updated})
        cursor.execute("TRUNCATE qms_post_staging")
    return {"created": created, "updated": updated + sorted(engagement_only), "content_changed": content_changed}
