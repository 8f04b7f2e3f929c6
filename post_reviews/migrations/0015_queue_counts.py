"""The review queue's counts as a table kept by statement triggers on posts (PostgreSQL).

The migration fills it from the waiting posts: one grouped read of the queue's partial index
(about a second at 500,000 waiting posts), under the lock the trigger creation takes.
"""

from django.db import migrations, models

from post_reviews.queue_counts import trigger_sql


def _run(index: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(trigger_sql()[index])

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("post_reviews", "0014_post_engagement"),
    ]

    operations = [
        migrations.CreateModel(
            name="QueueCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("account_id", models.BigIntegerField()),
                ("team_id", models.BigIntegerField()),
                ("published", models.BooleanField()),
                ("campaign", models.CharField(max_length=120)),
                ("waiting", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("account_id", "published", "campaign"), name="queue_count_key")
                ],
            },
        ),
        migrations.RunPython(_run(0), _run(1), elidable=False),
    ]
