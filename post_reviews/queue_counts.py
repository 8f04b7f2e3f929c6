"""The review queue's counts, kept in `QueueCount` by statement triggers on posts (PostgreSQL).

Counting the waiting posts per account read the whole backlog on every queue page (77 ms at
500,000 waiting posts, growing with it). The triggers instead add each statement's change to
one row per (account, published, campaign): one grouped upsert per INSERT, UPDATE or DELETE,
however many rows it touched (an import's COPY, a set-based pre-check UPDATE), with the keys
in order so two writers lock counter rows in the same order and can't deadlock. A statement
that changes nothing the counts depend on adds nothing (its +1 and -1 cancel).

On SQLite (`make run`) there are no triggers and the queue counts the posts themselves.
"""

from .workflow import WAITING

_WAITING = ", ".join(f"'{state}'" for state in WAITING)  # our own constants

_ROWS = (
    "SELECT account_id, team_id, status = 'published' AS published, campaign, {sign} AS d "  # noqa: S608
    f"FROM {{ref}}_rows WHERE review_state IN ({_WAITING})"
)

_UPSERT = """
INSERT INTO post_reviews_queuecount (account_id, team_id, published, campaign, waiting)
SELECT account_id, team_id, published, campaign, sum(d) FROM ({rows}) x
 GROUP BY account_id, team_id, published, campaign HAVING sum(d) <> 0
 ORDER BY account_id, published, campaign
ON CONFLICT (account_id, published, campaign)
DO UPDATE SET waiting = post_reviews_queuecount.waiting + EXCLUDED.waiting
"""

# Everything from the posts: after the triggers were off (seed_scale writes with them off).
REBUILD = f"""
DELETE FROM post_reviews_queuecount;
INSERT INTO post_reviews_queuecount (account_id, team_id, published, campaign, waiting)
SELECT account_id, team_id, status = 'published', campaign, count(*)
  FROM post_reviews_post WHERE review_state IN ({_WAITING})
 GROUP BY account_id, team_id, status = 'published', campaign
"""  # noqa: S608 - our own constants


def trigger_sql() -> tuple[str, str]:
    """(forward, backward) SQL of the counting triggers."""
    forward, backward = [], []
    for event, refs in (("insert", ["new"]), ("update", ["old", "new"]), ("delete", ["old"])):
        rows = " UNION ALL ".join(_ROWS.format(ref=ref, sign=-1 if ref == "old" else 1) for ref in refs)
        name = f"post_reviews_queue_count_{event}"
        forward.append(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{_UPSERT.format(rows=rows)};\nRETURN NULL;\nEND $$;"
        )
        referencing = " ".join(f"{ref.upper()} TABLE AS {ref}_rows" for ref in refs)
        forward.append(
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON post_reviews_post "
            f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}();"
        )
        backward.append(f"DROP TRIGGER IF EXISTS {name} ON post_reviews_post;")
        backward.append(f"DROP FUNCTION IF EXISTS {name}();")
    return "\n".join(forward) + "\n" + REBUILD, "\n".join(backward)
