"""The rollup SQL: set-based upserts from the base tables into the daily rollup tables.

One statement per table aggregates every key in ``metrics_keys`` (a temporary table of
(team_id, day) pairs) and upserts the result; rows of those keys that the aggregate no longer
produces (a review deleted, a defect recategorised) are removed by their stale run token. A full
rebuild and an incremental run execute the same aggregation and upsert; only how the reviews of
the keys are read differs with the number of keys (``FEW_KEYS``), and a test holds both equal.

Days are business days in ``QMS_METRICS_TIME_ZONE`` (the whole team's day, wherever the server
runs): ``at AT TIME ZONE tz`` gives the local wall time, and its date is the day.
"""

KEYS_FROM_DIRTY = """
CREATE TEMP TABLE metrics_keys ON COMMIT DROP AS
WITH taken AS (DELETE FROM metrics_rollupdirty RETURNING team_id, at)
SELECT DISTINCT team_id, (at AT TIME ZONE %(tz)s)::date AS day FROM taken
"""

# Every (team, day) from each team's first to its last review (clipped to the range): two
# probes of the (team, submitted_at) index per team instead of a DISTINCT over every review
# (at 10M reviews that scan alone cost more than the aggregation). Days without reviews are
# harmless keys: they aggregate to nothing, and their stale rollup rows are removed.
KEYS_FROM_RANGE = """
CREATE TEMP TABLE metrics_keys ON COMMIT DROP AS
SELECT s.team_id, d::date AS day
  FROM (SELECT t.id AS team_id,
               ((SELECT min(submitted_at) FROM post_reviews_postreview r WHERE r.team_id = t.id)
                AT TIME ZONE %(tz)s)::date AS first,
               ((SELECT max(submitted_at) FROM post_reviews_postreview r WHERE r.team_id = t.id)
                AT TIME ZONE %(tz)s)::date AS last
          FROM accounts_team t) s
 CROSS JOIN LATERAL generate_series(greatest(s.first, %(day_from)s::date), least(s.last, %(day_to)s::date),
                                    interval '1 day') d
 WHERE s.first IS NOT NULL
UNION
SELECT team_id, day FROM metrics_reviewdaily WHERE day BETWEEN %(day_from)s AND %(day_to)s
UNION
SELECT team_id, day FROM metrics_defectdaily WHERE day BETWEEN %(day_from)s AND %(day_to)s
"""

# A ranged full run leaves dirty rows of other days for the incremental runs.
DROP_DIRTY_IN_RANGE = """
DELETE FROM metrics_rollupdirty WHERE (at AT TIME ZONE %(tz)s)::date BETWEEN %(day_from)s AND %(day_to)s
"""

# Bounds of each key's day as instants, so the base tables are read by their indexed timestamp.
# The statements join a review to its key both ways: by the (team, submitted_at) index range,
# which an incremental run's few keys use, and by (team, day), which lets a full rebuild's
# thousands of keys hash-join one pass over the reviews. ANALYZE: temporary tables get no
# statistics otherwise, and the planner needs the key count to choose.
KEY_BOUNDS = """
CREATE TEMP TABLE metrics_bounds ON COMMIT DROP AS
SELECT team_id, day, (day::timestamp AT TIME ZONE %(tz)s) AS lo, ((day + 1)::timestamp AT TIME ZONE %(tz)s) AS hi
  FROM metrics_keys;
ANALYZE metrics_keys;
ANALYZE metrics_bounds
"""

UPSERT_REVIEWS = """
INSERT INTO metrics_reviewdaily
       (day, team_id, account_id, platform, stage, reviews, passed, passed_minor, failed, review_seconds, run_token)
SELECT b.day, r.team_id, p.account_id, a.platform, r.stage,
       count(*),
       count(*) FILTER (WHERE r.outcome = 'pass'),
       count(*) FILTER (WHERE r.outcome = 'pass_minor'),
       count(*) FILTER (WHERE r.outcome = 'fail'),
       coalesce(sum(r.time_spent_seconds), 0),
       %(token)s
  FROM metrics_bounds b
  JOIN post_reviews_postreview r ON r.team_id = b.team_id AND r.submitted_at >= b.lo AND r.submitted_at < b.hi
       AND (r.submitted_at AT TIME ZONE %(tz)s)::date = b.day
  JOIN post_reviews_post p ON p.id = r.post_id
  JOIN post_reviews_socialaccount a ON a.id = p.account_id
 GROUP BY b.day, r.team_id, p.account_id, a.platform, r.stage
ON CONFLICT (day, team_id, account_id, stage) DO UPDATE SET
       platform = EXCLUDED.platform, reviews = EXCLUDED.reviews, passed = EXCLUDED.passed,
       passed_minor = EXCLUDED.passed_minor, failed = EXCLUDED.failed,
       review_seconds = EXCLUDED.review_seconds, run_token = EXCLUDED.run_token
"""

UPSERT_DEFECTS = """
INSERT INTO metrics_defectdaily (day, team_id, account_id, platform, category, severity, defects, run_token)
SELECT b.day, r.team_id, p.account_id, a.platform, d.category, d.severity, count(*), %(token)s
  FROM metrics_bounds b
  JOIN post_reviews_postreview r ON r.team_id = b.team_id AND r.submitted_at >= b.lo AND r.submitted_at < b.hi
       AND (r.submitted_at AT TIME ZONE %(tz)s)::date = b.day
  JOIN post_reviews_defect d ON d.review_id = r.id
  JOIN post_reviews_post p ON p.id = r.post_id
  JOIN post_reviews_socialaccount a ON a.id = p.account_id
 GROUP BY b.day, r.team_id, p.account_id, a.platform, d.category, d.severity
ON CONFLICT (day, team_id, account_id, category, severity) DO UPDATE SET
       platform = EXCLUDED.platform, defects = EXCLUDED.defects, run_token = EXCLUDED.run_token
"""

# A run of a few keys (the incremental runs) reads each key's reviews by the (team, submitted_at)
# index, forced: OFFSET 0 keeps the subquery from being flattened back into a join the planner
# costs as a hash join over every review (it can't estimate a range between two columns: 47 s
# instead of 0.6 s for 20 keys at 10M reviews). The same aggregation and upsert, read another way.
FEW_KEYS = 1000
_FULL_JOIN = (
    "  JOIN post_reviews_postreview r ON r.team_id = b.team_id AND r.submitted_at >= b.lo AND r.submitted_at < b.hi\n"
    "       AND (r.submitted_at AT TIME ZONE %(tz)s)::date = b.day\n"
)
_FEW_JOIN = """  CROSS JOIN LATERAL (SELECT * FROM post_reviews_postreview r
       WHERE r.team_id = b.team_id AND r.submitted_at >= b.lo AND r.submitted_at < b.hi OFFSET 0) r
"""
UPSERT_REVIEWS_FEW = UPSERT_REVIEWS.replace(_FULL_JOIN, _FEW_JOIN)
UPSERT_DEFECTS_FEW = UPSERT_DEFECTS.replace(_FULL_JOIN, _FEW_JOIN)

DELETE_STALE = """
DELETE FROM {table} t USING metrics_keys k
 WHERE t.team_id = k.team_id AND t.day = k.day AND t.run_token <> %(token)s
"""

ROLLUP_TABLES = ("metrics_reviewdaily", "metrics_defectdaily")

# Statement triggers with transition tables: one INSERT into the queue per statement, however
# many rows it touched (a 100k-row import COPY adds one statement's worth, not 100k inserts).
_TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION metrics_mark_{name}_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO metrics_rollupdirty (team_id, at)
  SELECT DISTINCT {select} FROM {rows} x {join};
  RETURN NULL;
END $$;
"""

_SOURCES = {
    # name: (table, select, join)
    "review": ("post_reviews_postreview", "x.team_id, x.submitted_at", ""),
    "defect": (
        "post_reviews_defect",
        "r.team_id, r.submitted_at",
        "JOIN post_reviews_postreview r ON r.id = x.review_id",
    ),
}


def trigger_sql(sources: dict[str, tuple[str, str, str]] | None = None) -> tuple[str, str]:
    """(forward, backward) SQL creating the queue triggers on the base tables (``_SOURCES``, or
    another module's sources in the same form)."""
    forward, backward = [], []
    for name, (table, select, join) in (sources or _SOURCES).items():
        for event, refs in (("insert", ["new"]), ("update", ["old", "new"]), ("delete", ["old"])):
            # Our own constants only: table and column names from _SOURCES, never input.
            body = " UNION ".join(f"SELECT DISTINCT {select} FROM {ref}_rows x {join}" for ref in refs)  # noqa: S608
            forward.append(
                _TRIGGER_FUNCTION.replace("SELECT DISTINCT {select} FROM {rows} x {join}", body).format(
                    name=name, event=event
                )
            )
            referencing = " ".join(f"{ref.upper()} TABLE AS {ref}_rows" for ref in refs)
            forward.append(
                f"CREATE TRIGGER metrics_mark_{name}_{event} AFTER {event.upper()} ON {table} "
                f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION metrics_mark_{name}_{event}();"
            )
            backward.append(f"DROP TRIGGER IF EXISTS metrics_mark_{name}_{event} ON {table};")
            backward.append(f"DROP FUNCTION IF EXISTS metrics_mark_{name}_{event}();")
    return "\n".join(forward), "\n".join(backward)
