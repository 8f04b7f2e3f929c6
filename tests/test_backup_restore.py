"""The backup procedure of docs/operations.md, performed: pg_dump -Fc of the database plus a copy of
the media storage, restored into a fresh database and directory, then checked: row counts per
table equal, every signature still matches the SHA-256 of its record, every attachment file its
stored hash, by ``manage.py verify_integrity`` and by a direct recomputation."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from core.models import Meaning
from core.services import attachment_create, signature_create
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
PG = ["-h", "127.0.0.1", "-U", "postgres"]
ROOT = Path(__file__).resolve().parent.parent


def _counts(dbname: str) -> dict[str, int]:
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname=dbname) as conn:
        tables = [row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        query = 'SELECT count(*) FROM "{}"'
        return {table: conn.execute(query.format(table)).fetchone()[0] for table in sorted(tables)}


# Run against the restored copy in its own process, as an operator would (DATABASE_URL override).
VERIFY = """
import hashlib
from core.models import Attachment, Signature
from core.services.signatures import canonical_sha256
bad = [s.pk for s in Signature.objects.all() if canonical_sha256(s.record) != s.content_sha256]
for a in Attachment.objects.all():
    with a.file.open("rb") as f:
        if hashlib.sha256(f.read()).hexdigest() != a.sha256:
            bad.append(a.file.name)
print("checked", Signature.objects.count(), Attachment.objects.count(), "mismatches", len(bad))
"""


@pytest.fixture
def restored():
    name = f"qms_restore_{uuid.uuid4().hex[:8]}"
    yield name
    subprocess.run(["dropdb", *PG, "--if-exists", "--force", name], check=True)


def test_dump_and_restore_keep_every_row_signature_and_file(people, settings, tmp_path, restored):
    for meaning in (Meaning.APPROVED, Meaning.REVIEWED):
        signature_create(record=people.team_a, by=people.lead, password=PASSWORD, meaning=meaning)
    upload = SimpleUploadedFile("evidence.txt", b"the evidence\n" * 100, content_type="text/plain")
    attachment_create(team=people.team_a, upload=upload, by=people.lead, record=people.team_a)

    # Backup: the database in custom format, and the media storage.
    source = connections["default"].settings_dict["NAME"]
    dump = tmp_path / "qms.dump"
    subprocess.run(["pg_dump", *PG, "-Fc", "-d", source, "-f", str(dump)], check=True)
    media_backup = tmp_path / "media-backup"
    shutil.copytree(settings.MEDIA_ROOT, media_backup)

    # Restore into a fresh database and a fresh media directory.
    subprocess.run(["createdb", *PG, restored], check=True)
    subprocess.run(["pg_restore", *PG, "--no-owner", "--exit-on-error", "-d", restored, str(dump)], check=True)
    settings.MEDIA_ROOT = tmp_path / "media-restored"
    shutil.copytree(media_backup, settings.MEDIA_ROOT)

    source_counts = _counts(source)
    assert source_counts["core_signature"] == 2 and source_counts["core_attachment"] == 1
    assert _counts(restored) == source_counts

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="qms.settings.local",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{restored}",
        DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", VERIFY], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "checked 2 1 mismatches 0"

    verify = subprocess.run(
        [sys.executable, "manage.py", "verify_integrity"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "2 signatures checked" in verify.stdout and "1 attachments checked" in verify.stdout
    assert "MISMATCH" not in verify.stdout and "No mismatches." in verify.stdout
