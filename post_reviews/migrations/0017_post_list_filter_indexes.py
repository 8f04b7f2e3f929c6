"""Indexes and statistics for the posts API's filters at 10M posts (issue #13).

- (account, -id): the account filter, alone or with another, read in the list's order; before,
  a walk of the primary key past every other account's posts (0.3-0.7 s at 10M).
- (-id) WHERE approved_for_publishing: the few approved posts; the filter found none by walking
  all 10M rows (4.6 s).
- Statistics on (team, account, review_state) with a 1,000-entry MCV list: which accounts have
  waiting posts. Without them the planner multiplies the selectivities, expects 120,000
  `platform=x&review_state=pending` posts, walks the primary key for 51 of them and finds none
  (19-28 s here; 1.1 s in the issue); with them it expects one and reads the queue's partial
  index (24 ms warm). They include the team: PostgreSQL applies one statistics object to a set
  of clauses, and the (team, review_state) one of migration 0004 would otherwise win.
  ANALYZE samples 300,000 rows for a 1,000 target (about a minute at 10M posts).

Both indexes are built CONCURRENTLY on PostgreSQL (imports go on; on the shared benchmark
machine a few minutes and ~250 MB for the account index, a few kB for the approved one), so
the migration is not atomic. Every import writes one more index entry per post.
"""

from django.db import migrations, models
from django.db.models import Q

from post_reviews.migrations._concurrent import AddIndexConcurrentlyOnPostgres


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE STATISTICS IF NOT EXISTS post_team_account_state_stats (mcv, dependencies) "
        "ON team_id, account_id, review_state FROM post_reviews_post"
    )
    schema_editor.execute("ALTER STATISTICS post_team_account_state_stats SET STATISTICS 1000")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS post_team_account_state_stats")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("post_reviews", "0016_review_team_submitted_idx")]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="post",
            index=models.Index(fields=["account", "-id"], name="post_account_recent_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="post",
            index=models.Index(
                fields=["-id"], name="post_approved_recent_idx", condition=Q(approved_for_publishing=True)
            ),
        ),
        migrations.RunPython(create_statistics, drop_statistics, elidable=False),
    ]
