"""Database guards: append-only tables (signatures, history) on PostgreSQL.

Two triggers per table, both calling ``qms_refuse_change()``: a row trigger that refuses UPDATE
and DELETE, and a statement trigger that refuses TRUNCATE (row triggers don't fire on TRUNCATE,
and ``TRUNCATE core_signature CASCADE`` would also empty every table that points at it).

They are installed two ways, both idempotent:
- ``append_only(table)`` in an app's migration, for the tables it creates;
- ``guard_append_only_tables`` on ``post_migrate``, for every append-only table that exists:
  ``core_signature``, every django-simple-history table, and any model with
  ``qms_append_only = True``. A new app's history tables are covered by the next ``migrate``
  without a migration of its own.

Triggers hold only against a role that doesn't own the tables: an owner can ``DISABLE TRIGGER``.
docs/operations.md says how to run the app as a non-owner role. Other databases (SQLite for
``make run``) rely on the app guards alone.
"""

from django.apps import apps as global_apps
from django.db import connections, migrations

_FUNCTION = """
CREATE OR REPLACE FUNCTION qms_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def row_trigger_name(table: str) -> str:
    return f"qms_append_only_{table}"[:63]


def truncate_trigger_name(table: str) -> str:
    return f"qms_no_truncate_{table}"[:63]


def _existing_triggers(cursor, table: str) -> set[str]:
    cursor.execute(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal",
        [f'"{table}"'],
    )
    return {name for (name,) in cursor.fetchall()}


def ensure_append_only(connection, table: str) -> bool:
    """Install the missing guards on ``table``; return whether anything was created."""
    if connection.vendor != "postgresql":
        return False
    row, truncate = row_trigger_name(table), truncate_trigger_name(table)
    with connection.cursor() as cursor:
        existing = _existing_triggers(cursor, table)
        if {row, truncate} <= existing:
            return False
        cursor.execute(_FUNCTION)
        if row not in existing:
            cursor.execute(
                f'CREATE TRIGGER "{row}" BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION qms_refuse_change();"
            )
        if truncate not in existing:
            cursor.execute(
                f'CREATE TRIGGER "{truncate}" BEFORE TRUNCATE ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION qms_refuse_change();"
            )
    return True


def append_only(table: str) -> migrations.RunPython:
    """A migration operation that makes ``table`` refuse UPDATE, DELETE and TRUNCATE on PostgreSQL.

    Used for signatures and history tables: the audit trail must not be editable, not even by
    code that bypasses the ORM.
    """

    def forwards(apps, schema_editor):
        ensure_append_only(schema_editor.connection, table)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{row_trigger_name(table)}" ON "{table}";')
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{truncate_trigger_name(table)}" ON "{table}";')

    return migrations.RunPython(forwards, backwards, elidable=False)


def append_only_tables() -> list[str]:
    """Every table of an installed model that must stay append-only."""
    from simple_history.models import HistoricalChanges

    tables = set()
    for model in global_apps.get_models():
        if getattr(model, "qms_append_only", False) or issubclass(model, HistoricalChanges):
            tables.add(model._meta.db_table)
    return sorted(tables)


def guard_append_only_tables(*, using: str = "default", **kwargs) -> list[str]:
    """``post_migrate`` receiver: guard every append-only table that exists. Returns the tables
    that got a new trigger."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    existing = set(connection.introspection.table_names())
    return [t for t in append_only_tables() if t in existing and ensure_append_only(connection, t)]
