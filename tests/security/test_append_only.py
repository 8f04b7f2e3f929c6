"""Attack: empty the audit trail with TRUNCATE (row triggers don't fire on it)."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from core.db import append_only_tables, guard_append_only_tables, row_trigger_name, truncate_trigger_name
from core.models import Signature
from docs_control.models import Approval, DocumentVersion
from tests.docs_control.conftest import make_effective_document

pytestmark = pytest.mark.django_db


def _refused(sql: str) -> str:
    # The test's own rows leave deferred FK checks pending, which TRUNCATE refuses before any
    # trigger runs: check them now so the refusal seen is the guard's.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return str(refused.value)


def test_truncate_of_signatures_is_refused_even_with_cascade(people):
    make_effective_document(people)
    assert Signature.objects.count() == 1
    assert "append-only: TRUNCATE refused" in _refused("TRUNCATE core_signature CASCADE")
    assert Signature.objects.count() == 1
    assert Approval.objects.count() == 1  # CASCADE would have emptied it


def test_truncate_of_a_history_table_is_refused(people):
    make_effective_document(people)
    history = DocumentVersion.history.model._meta.db_table
    assert "append-only: TRUNCATE refused" in _refused(f'TRUNCATE "{history}"')
    assert DocumentVersion.history.count() > 0


def test_every_history_table_and_signatures_carry_both_guards():
    tables = append_only_tables()
    assert "core_signature" in tables
    assert "post_reviews_historicalpost" in tables and "accounts_historicalmembership" in tables
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE tgname LIKE 'qms_%%'")
        found = set(cursor.fetchall())
    for table in tables:
        assert (table, row_trigger_name(table)) in found
        assert (table, truncate_trigger_name(table)) in found


def test_the_post_migrate_hook_guards_a_table_that_lost_its_trigger():
    """A new app's history table, or one from before the TRUNCATE guard, gets it on migrate."""
    table = "capa_historicalnonconformity"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TRIGGER "{truncate_trigger_name(table)}" ON "{table}"')
    assert guard_append_only_tables(using="default") == [table]
    assert "append-only: TRUNCATE refused" in _refused(f'TRUNCATE "{table}"')
    assert guard_append_only_tables(using="default") == []  # idempotent
