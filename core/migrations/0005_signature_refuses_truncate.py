from django.db import migrations

from core.db import append_only


class Migration(migrations.Migration):
    """Adds the TRUNCATE guard to core_signature (0002 refused only UPDATE and DELETE). History
    tables get theirs from core's post_migrate hook (core.db.guard_append_only_tables)."""

    dependencies = [("core", "0004_digest_log")]

    operations = [append_only("core_signature")]
