"""Mark done the inbox tasks that were already finished before notifications could be resolved.

From now on the services resolve them as they happen; this catches up the rows written before:
"read and acknowledge" tasks already acknowledged by their recipient or whose version is no
longer in force, and approval requests whose version has left review. Reversing leaves the
rows as they are (the column itself goes with core's migration).
"""

from django.db import migrations
from django.db.models import Exists, OuterRef
from django.utils import timezone


def mark_done(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Notification = apps.get_model("core", "Notification")
    DocumentVersion = apps.get_model("docs_control", "DocumentVersion")
    Acknowledgement = apps.get_model("docs_control", "Acknowledgement")
    content_type = ContentType.objects.filter(app_label="docs_control", model="documentversion").first()
    if content_type is None:
        return  # a fresh database: nothing was ever notified
    now = timezone.now()
    about_versions = Notification.objects.filter(subject_type=content_type, done_at__isnull=True)
    not_in_force = DocumentVersion.objects.filter(pk=OuterRef("subject_id")).exclude(status="effective")
    acknowledged = Acknowledgement.objects.filter(
        version_id=OuterRef("subject_id"), user_id=OuterRef("recipient_id"), acknowledged_at__isnull=False
    )
    acks = about_versions.filter(kind="document_acknowledge")
    acks.filter(Exists(not_in_force) | Exists(acknowledged)).update(done_at=now)
    not_in_review = DocumentVersion.objects.filter(pk=OuterRef("subject_id")).exclude(status="in_review")
    about_versions.filter(kind="document_approval_requested").filter(Exists(not_in_review)).update(done_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0003_notification_done_at"),
        ("docs_control", "0002_search_vector_and_append_only_history"),
    ]

    operations = [migrations.RunPython(mark_done, migrations.RunPython.noop)]
