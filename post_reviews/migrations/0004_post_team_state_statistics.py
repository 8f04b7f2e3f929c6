from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Team and review state are correlated (one team's backlog is not another's): without
    # multi-column statistics the planner misjudges the queue's size and scans the table.
    schema_editor.execute(
        "CREATE STATISTICS IF NOT EXISTS post_team_state_stats (mcv, dependencies) "
        "ON team_id, review_state FROM post_reviews_post"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS post_team_state_stats")


class Migration(migrations.Migration):
    dependencies = [("post_reviews", "0003_post_indexes_for_imports_and_queue")]

    operations = [migrations.RunPython(create, drop)]
