"""The metrics rollups read a team's reviews of one day: an index on (team, submitted_at).

On PostgreSQL it is built CONCURRENTLY, so imports and reviews go on meanwhile (on the shared
benchmark machine about two minutes at 10M reviews, ~300 MB): the migration is not atomic. On
SQLite (`make run`) a plain CREATE INDEX.
"""

from django.db import migrations, models

from post_reviews.migrations._concurrent import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("post_reviews", "0015_queue_counts")]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="postreview",
            index=models.Index(fields=["team", "submitted_at"], name="review_team_submitted_idx"),
        )
    ]
