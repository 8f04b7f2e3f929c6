"""Run by test_db_roles.py in a subprocess connected as the app's non-owner role: normal app
writes, then the attacks on the audit trail. Prints one JSON object."""

import json

import django

django.setup()

from django.db import DatabaseError, connection, transaction  # noqa: E402

from core.models import Signature  # noqa: E402
from tests.conftest import make_personas  # noqa: E402
from tests.docs_control.conftest import make_effective_document  # noqa: E402

ATTACKS = {
    "disable_trigger": "ALTER TABLE core_signature DISABLE TRIGGER ALL",
    "update": "UPDATE core_signature SET comment = 'forged'",
    "delete": "DELETE FROM core_signature",
    "truncate": "TRUNCATE core_signature CASCADE",
    "update_history": "UPDATE docs_control_historicaldocumentversion SET body = 'forged'",
    "drop_trigger": 'DROP TRIGGER "qms_append_only_core_signature" ON core_signature',
}

people = make_personas()
make_effective_document(people)
with connection.cursor() as cursor:
    cursor.execute("SELECT current_user")
    result = {"user": cursor.fetchone()[0], "signatures": Signature.objects.count()}
for name, sql in ATTACKS.items():
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
        result[name] = "done"
    except DatabaseError as error:
        result[name] = str(error).splitlines()[0]
result["signatures_after"] = Signature.objects.count()
print(json.dumps(result))
