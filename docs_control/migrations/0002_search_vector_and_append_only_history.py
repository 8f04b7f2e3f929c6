from django.db import migrations

from core.db import append_only


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (make run) searches with LIKE over search_text instead.
    schema_editor.execute(
        "ALTER TABLE docs_control_document ADD COLUMN search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, coalesce(search_text, ''))) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX docs_control_document_search_gin ON docs_control_document USING gin (search_vector)"
    )


def drop_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE docs_control_document DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [("docs_control", "0001_initial"), ("core", "0002_signature_append_only")]

    operations = [
        migrations.RunPython(add_search_vector, drop_search_vector),
        append_only("docs_control_historicaldocument"),
        append_only("docs_control_historicaldocumentversion"),
        append_only("docs_control_historicalapproval"),
    ]
