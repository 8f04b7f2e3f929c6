"""`verify_integrity` keeps its memory flat as the tables grow (issue 13): the peak of Python
allocations while reading 5x the rows stays about the same. The 1,000,000-record run is a
benchmark (bench/verify_integrity.py), not a test.

Attachments are checked for real (each stored file hashed again). Each signature check is
replaced by a stub here: it costs a few queries per row (about 10 ms on a loaded machine, see
docs/operations.md), which would make 25,000 of them a benchmark, and it keeps nothing from one
row to the next; what could grow with the table is the reading of the rows, and that is real.
"""

import tracemalloc
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from core.models import Attachment, Signature
from core.services import attachment_create
from tests.capa.conftest import evidence_file
from tests.docs_control.conftest import make_effective_document

pytestmark = pytest.mark.django_db


def _copies(table: str, row_id: int, n: int) -> None:
    """``n`` copies of one row of ``table`` (all columns but the id), in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(quote_ident(column_name), ', ') FROM information_schema.columns"
            " WHERE table_name = %s AND column_name <> 'id'",
            [table],
        )
        columns = cursor.fetchone()[0]
        # The table is one of this test's; the columns come from the catalogue.
        insert = f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table}, generate_series(1, %s)"  # noqa: S608
        cursor.execute(insert + " WHERE id = %s", [n, row_id])


def _peak_while_verifying() -> tuple[int, str]:
    """Peak traced allocation (bytes) during one run of the command, and its output."""
    out = StringIO()
    tracemalloc.start()
    try:
        call_command("verify_integrity", "--chunk-size", "200", stdout=out, stderr=StringIO())
        return tracemalloc.get_traced_memory()[1], out.getvalue()
    finally:
        tracemalloc.stop()


def test_peak_memory_stays_flat_from_5000_to_25000_rows_of_each(people, monkeypatch):
    make_effective_document(people)
    attachment_create(team=people.team_a, upload=evidence_file(), by=people.qa)
    signature = Signature.objects.order_by("pk").first()
    attachment = Attachment.objects.get()
    call_command("verify_integrity", stdout=StringIO(), stderr=StringIO())  # warm: imports, caches
    checked = []
    monkeypatch.setattr("core.integrity.signature_check", lambda s: checked.append(1) and None)

    _copies("core_signature", signature.pk, 5_000 - Signature.objects.count())
    _copies("core_attachment", attachment.pk, 5_000 - 1)
    small, out = _peak_while_verifying()
    assert "5000 signatures checked" in out and "5000 attachments checked" in out, out
    assert "No mismatches." in out and len(checked) == 5_000

    _copies("core_signature", signature.pk, 20_000)
    _copies("core_attachment", attachment.pk, 20_000)
    large, out = _peak_while_verifying()
    assert "25000 signatures checked" in out and "25000 attachments checked" in out, out
    # Rows held, or their garbage cycles left for a rare full collection, grow the peak with
    # the table (6 MB at 20,000 rows of each, 15.6 MB at 100,000, before gc.collect per batch).
    assert large < small * 1.3, (small, large)
