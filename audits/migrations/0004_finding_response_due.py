from datetime import timedelta

from django.db import migrations, models
from django.utils import timezone

# Findings recorded before the field existed and still waiting for a response are given the
# default: 14 days after they were recorded (audits.services.findings.RESPONSE_DAYS).
RESPONSE_DAYS = 14


def backfill(apps, schema_editor):
    Finding = apps.get_model("audits", "Finding")
    # A plain save of the historical model state: no history row, only the new column filled.
    for finding in Finding.objects.filter(auditee_response="", response_due__isnull=True).only("pk", "created_at"):
        finding.response_due = timezone.localtime(finding.created_at).date() + timedelta(days=RESPONSE_DAYS)
        finding.save(update_fields=["response_due"])


class Migration(migrations.Migration):
    dependencies = [("audits", "0003_evidence_pack_jobs")]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="response_due",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="historicalfinding",
            name="response_due",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(
                condition=models.Q(("auditee_response", "")),
                fields=["response_due"],
                name="audits_finding_awaiting_idx",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
