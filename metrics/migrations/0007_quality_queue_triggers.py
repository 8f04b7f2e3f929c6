"""Statement triggers on lots, nonconformities, CAPAs, action items, acknowledgements and audit
findings that queue the days a change touches (PostgreSQL only, like 0002)."""

from django.db import migrations

from metrics.rollups_quality import quality_trigger_sql


def _run(index: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(quality_trigger_sql()[index])

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0006_quality_rollup_tables"),
        ("audits", "0003_evidence_pack_jobs"),
        ("capa", "0003_measured_checks_and_defect_trends"),
        ("docs_control", "0004_document_number_unique_per_team"),
        ("post_reviews", "0014_post_engagement"),
    ]

    operations = [migrations.RunPython(_run(0), _run(1), elidable=False)]
