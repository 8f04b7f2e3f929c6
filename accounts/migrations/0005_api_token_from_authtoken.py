"""Existing DRF authtoken keys become hashed ApiToken rows, so clients keep working.

``rest_framework.authtoken`` is no longer installed, so its table is read with SQL when it
exists (a database created before this change). The plaintext rows are deleted; the empty
table stays (``DROP TABLE authtoken_token`` by hand once you no longer need a way back).
There is no reverse: the keys can't be recovered from their hashes.
"""

import hashlib

from django.db import migrations


def convert(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id, created FROM authtoken_token")
        rows = cursor.fetchall()
    for key, user_id, created in rows:
        key_hash = hashlib.sha256(key.encode("utf-8")).hexdigest()
        token, _ = ApiToken.objects.get_or_create(
            key_hash=key_hash, defaults={"user_id": user_id, "name": "API (before hashing)", "prefix": key[:8]}
        )
        # auto_now_add set today's date on create: keep the original issue date.
        ApiToken.objects.filter(pk=token.pk).update(created_at=created)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_api_token")]

    operations = [migrations.RunPython(convert, migrations.RunPython.noop)]
