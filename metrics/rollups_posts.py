"""The post rollups' SQL: posts, engagement and pre-check failures per business day of the post.

A post's day is the business day (``QMS_METRICS_TIME_ZONE``) of ``coalesce(published_at,
scheduled_at)``: when it went out, or is planned to. A draft with neither has no day and is in no
rollup until it gets one. ``post_team_day_idx`` indexes exactly that expression per team.

These statements run in the same run and over the same ``metrics_keys``/``metrics_bounds`` as the
review rollups (``rollups.py`` lists them), so incremental and full runs agree here too.

The queue is fed by statement triggers on the posts (a post's old and new day, so moving a post
marks both) and on the reviews (the reviewed post's day, since ``posts_reviewed`` counts there).
A trigger queues the instant rounded down to 15 minutes: every business day boundary of a real
time zone falls on a quarter hour, so the day is kept, and an import of 100k posts queues at most
96 rows per team and day instead of one per post.
"""

_POST_DAY = "coalesce(p.published_at, p.scheduled_at)"
_ENGAGEMENTS = "coalesce(p.likes, 0) + coalesce(p.comments, 0) + coalesce(p.shares, 0) + coalesce(p.saves, 0)"

# Added to the keys of a full run (rollups.KEYS_FROM_RANGE), without repeating one already there.
KEYS_FROM_RANGE = f"""
INSERT INTO metrics_keys (team_id, day)
SELECT DISTINCT p.team_id, ({_POST_DAY} AT TIME ZONE %(tz)s)::date
  FROM post_reviews_post p
 WHERE {_POST_DAY} IS NOT NULL AND ({_POST_DAY} AT TIME ZONE %(tz)s)::date BETWEEN %(day_from)s AND %(day_to)s
UNION
SELECT team_id, day FROM metrics_postdaily WHERE day BETWEEN %(day_from)s AND %(day_to)s
UNION
SELECT team_id, day FROM metrics_precheckdaily WHERE day BETWEEN %(day_from)s AND %(day_to)s
EXCEPT
SELECT team_id, day FROM metrics_keys
"""  # noqa: S608

_COUNTERS = ("impressions", "reach", "likes", "comments", "shares", "saves", "video_views")


# Up to this many keys a run reads each key's posts by an index range scan; beyond it (a full
# rebuild) one scan of the posts hashed against the keys is far cheaper than that many probes.
INDEX_KEYS = 64


def _posts_of_keys(columns: str, where: str = "") -> str:
    """The posts of the run's keys, with their key's ``day``, as a subquery ``p``.

    Two plans behind one-time filters on the number of keys, so PostgreSQL runs exactly one: few
    keys (an incremental run) take one index range scan (post_team_day_idx) per key, fenced by
    OFFSET 0 so the planner can't flatten it (joined plainly, it merges on team alone and filters
    the range: every key against every post of its team, 73M comparisons for a year of 200k
    posts); many keys (a full rebuild) take one scan of the posts, hashed on (team, day)."""
    return f"""(
       SELECT b.day, {columns} FROM metrics_bounds b
        CROSS JOIN LATERAL (
              SELECT {columns} FROM post_reviews_post p
               WHERE p.team_id = b.team_id AND {_POST_DAY} >= b.lo AND {_POST_DAY} < b.hi {where}
              OFFSET 0
        ) p
        WHERE (SELECT count(*) FROM metrics_keys) <= {INDEX_KEYS}
       UNION ALL
       SELECT k.day, {columns} FROM post_reviews_post p
         JOIN metrics_keys k ON k.team_id = p.team_id AND k.day = ({_POST_DAY} AT TIME ZONE %(tz)s)::date
        WHERE (SELECT count(*) FROM metrics_keys) > {INDEX_KEYS} AND {_POST_DAY} IS NOT NULL {where}
 ) p"""  # noqa: S608


UPSERT_POSTS = f"""
INSERT INTO metrics_postdaily
       (day, team_id, account_id, platform, posts, posts_published, posts_reviewed,
        {", ".join(_COUNTERS)}, engagements, engagements_rated, run_token)
SELECT p.day, p.team_id, p.account_id, a.platform,
       count(*),
       count(*) FILTER (WHERE p.status = 'published'),
       count(*) FILTER (
           WHERE p.status = 'published' AND EXISTS (SELECT 1 FROM post_reviews_postreview r WHERE r.post_id = p.id)
       ),
       {", ".join(f"coalesce(sum(p.{c}), 0)" for c in _COUNTERS)},
       coalesce(sum({_ENGAGEMENTS}), 0),
       coalesce(sum({_ENGAGEMENTS}) FILTER (WHERE p.impressions IS NOT NULL), 0),
       %(token)s
  FROM {_posts_of_keys("p.id, p.team_id, p.account_id, p.status, " + ", ".join(f"p.{c}" for c in _COUNTERS))}
  JOIN post_reviews_socialaccount a ON a.id = p.account_id
 GROUP BY p.day, p.team_id, p.account_id, a.platform
ON CONFLICT (day, team_id, account_id) DO UPDATE SET
       platform = EXCLUDED.platform, posts = EXCLUDED.posts, posts_published = EXCLUDED.posts_published,
       posts_reviewed = EXCLUDED.posts_reviewed,
       {", ".join(f"{c} = EXCLUDED.{c}" for c in _COUNTERS)},
       engagements = EXCLUDED.engagements, engagements_rated = EXCLUDED.engagements_rated,
       run_token = EXCLUDED.run_token
"""  # noqa: S608

# A failure is a critical or major finding, as Post.precheck_failures counts them; a post failing
# a rule twice (two banned terms) counts once for that rule.
UPSERT_PRECHECKS = f"""
INSERT INTO metrics_precheckdaily (day, team_id, account_id, platform, rule, failures, run_token)
SELECT p.day, p.team_id, p.account_id, a.platform, coalesce(f.value->>'rule', ''), count(DISTINCT p.id), %(token)s
  FROM {_posts_of_keys("p.id, p.team_id, p.account_id, p.prechecks", "AND p.precheck_failures > 0")}
  JOIN post_reviews_socialaccount a ON a.id = p.account_id
 CROSS JOIN LATERAL jsonb_array_elements(
       CASE WHEN jsonb_typeof(p.prechecks) = 'array' THEN p.prechecks ELSE '[]'::jsonb END
 ) AS f(value)
 WHERE f.value->>'severity' IN ('critical', 'major')
 GROUP BY p.day, p.team_id, p.account_id, a.platform, coalesce(f.value->>'rule', '')
ON CONFLICT (day, team_id, account_id, rule) DO UPDATE SET
       platform = EXCLUDED.platform, failures = EXCLUDED.failures, run_token = EXCLUDED.run_token
"""  # noqa: S608

UPSERTS = (UPSERT_POSTS, UPSERT_PRECHECKS)
TABLES = ("metrics_postdaily", "metrics_precheckdaily")

_QUARTER = "date_bin('15 minutes', {at}, timestamptz '2000-01-01 00:00+00')"

# For rollups.trigger_sql: name -> (table, select, join). The "join" also carries the filter on
# posts without a day (the queue's instant is NOT NULL).
SOURCES = {
    "post": (
        "post_reviews_post",
        "x.team_id, " + _QUARTER.format(at="coalesce(x.published_at, x.scheduled_at)"),
        "WHERE coalesce(x.published_at, x.scheduled_at) IS NOT NULL",
    ),
    "review_post": (
        "post_reviews_postreview",
        "p.team_id, " + _QUARTER.format(at=_POST_DAY),
        f"JOIN post_reviews_post p ON p.id = x.post_id WHERE {_POST_DAY} IS NOT NULL",
    ),
}
