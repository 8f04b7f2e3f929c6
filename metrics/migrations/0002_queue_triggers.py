"""Statement triggers on the post review tables that queue the days a change touches.

PostgreSQL only: on SQLite (`make run`) every rollup run is a full rebuild and needs no queue.
"""

from django.db import migrations

from metrics.rollups import trigger_sql


def _run(index: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(trigger_sql()[index])

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0001_rollup_tables"),
        ("post_reviews", "0007_post_autovacuum_after_imports"),
    ]

    operations = [migrations.RunPython(_run(0), _run(1), elidable=False)]
