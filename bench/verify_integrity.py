"""`manage.py verify_integrity` at 1,000,000 records: wall time and the command's peak RSS.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_faults .venv/bin/python bench/verify_integrity.py
    .venv/bin/python bench/verify_integrity.py --records 100000      # a smaller run, to compare

Seeds (once; a re-run only tops up) the demo data, then, set-based (one INSERT … SELECT …
generate_series per table), copies of real rows until the database holds ``--records`` rows in
all: 40 % signatures (copies of a version's approval, so each one really verifies, history and
all), 40 % history rows of the signed model (other ids: volume for the as-of lookups), 20 %
attachments (copies of one small stored file, hashed again each time). Then runs the command in a
child process, as an operator would, and prints its time, rows per second and peak RSS
(ru_maxrss of the child: Python, Django and the batches).
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qms_bench_integrity")
os.environ.setdefault("DJANGO_MEDIA_ROOT", str(Path(__file__).resolve().parent / "out" / "verify_integrity" / "media"))
from common import ROOT, setup

HISTORY_ID_BASE = 10_000_000  # history rows of ids no record has


def _columns(cursor, table: str, skip: set[str]) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position", [table]
    )
    return [name for (name,) in cursor.fetchall() if name not in skip]


def _copy(cursor, table: str, source_where: str, n: int, *, set_id: str | None = None) -> None:
    """``n`` copies of the first row of ``table`` matching ``source_where``, in one statement."""
    if n <= 0:
        return
    skip = {"id", "history_id"} if set_id else {"id"}
    columns = _columns(cursor, table, skip)
    target = ", ".join(([set_id] if set_id else []) + columns)
    values = ", ".join(([f"{HISTORY_ID_BASE} + g"] if set_id else []) + [f"s.{c}" for c in columns])
    insert = (
        f"INSERT INTO {table} ({target}) SELECT {values} FROM"  # noqa: S608 - names of this script's, not input
        f" (SELECT * FROM {table} WHERE {source_where} ORDER BY 1 LIMIT 1) s, generate_series(1, %s) g"
    )
    cursor.execute(insert, [n])


def seed(records: int) -> dict[str, int]:
    from django.core.management import call_command
    from django.db import connection, transaction

    from core.models import Attachment, Signature

    if not Signature.objects.filter(record_type__model="documentversion").exists():
        call_command("seed_demo", verbosity=0)
    source = Signature.objects.filter(record_type__model="documentversion", meaning="approved").order_by("pk").first()
    attachment = Attachment.objects.order_by("pk").first()
    targets = {"signatures": records * 4 // 10, "history": records * 4 // 10}
    targets["attachments"] = records - targets["signatures"] - targets["history"]
    with transaction.atomic(), connection.cursor() as cursor:
        history = "docs_control_historicaldocumentversion"
        cursor.execute(f"SELECT count(*) FROM {history}")  # noqa: S608 - a constant
        history_now = cursor.fetchone()[0]
        _copy(cursor, "core_signature", f"id = {source.pk}", targets["signatures"] - Signature.objects.count())
        _copy(cursor, history, "true", targets["history"] - history_now, set_id="id")
        _copy(cursor, "core_attachment", f"id = {attachment.pk}", targets["attachments"] - Attachment.objects.count())
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE core_signature; ANALYZE core_attachment; ANALYZE {history}")
        cursor.execute(f"SELECT count(*) FROM {history}")  # noqa: S608 - a constant
        history_rows = cursor.fetchone()[0]
    return {"signatures": Signature.objects.count(), "history": history_rows, "attachments": Attachment.objects.count()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--chunk-size", type=int, default=500)
    args = parser.parse_args()
    setup()
    started = time.monotonic()
    counts = seed(args.records)
    print(f"seeded in {time.monotonic() - started:.1f} s: {counts}")

    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 - this interpreter and manage.py
        [sys.executable, "manage.py", "verify_integrity", "--chunk-size", str(args.chunk_size)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    checked = counts["signatures"] + counts["attachments"]
    print(result.stdout.strip().splitlines()[-3:], result.returncode)
    print(
        f"verify_integrity: {sum(counts.values()):,} records ({checked:,} checked) in {seconds:.1f} s,"
        f" {checked / seconds:,.0f} rows/s, peak RSS {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
