"""The pack's PDFs laid out by a child process (audits/packs/pdfs.py): the same pack as an
in-process render, byte for byte; a renderer that dies fails the build cleanly; and a worker
(its start-up checks, its tasks, the build's own modules) never imports WeasyPrint."""

import io
import os
import subprocess
import sys
import zipfile

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.utils import timezone

from audits.models import EvidencePackJob, PackStatus
from audits.packs import content
from audits.packs.build import pack_compose
from audits.packs.pdfs import PackPdfs
from audits.packs.services import evidence_pack_build
from audits.packs.zipbuild import PackWriter
from tests.audits.pack_fixtures import make_pack_audit


@pytest.fixture
def pack_audit(people):
    return make_pack_audit(people)


@pytest.fixture
def temp(tmp_path, monkeypatch):
    """Where the PDF child's folder goes, to see it removed."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(folder))
    return folder


@pytest.fixture
def frozen(monkeypatch):
    """One instant for "printed at" and "exported at", so two builds can be compared."""
    now = timezone.now()
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)
    return now


def _entries(audit, user, exported_at, *, in_child: bool) -> dict[str, bytes]:
    writer = PackWriter()
    with PackPdfs(in_child=in_child) as pdfs:
        scope = content.scope_of(audit, user)
        meta = pack_compose(writer, scope, exported_by=user, exported_at=exported_at, pdfs=pdfs)
        data = b"".join(writer.stream(meta))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_pdfs_laid_out_by_the_child_give_the_same_pack_byte_for_byte(pack_audit, people, frozen, temp):
    inline = _entries(pack_audit.audit, people.auditor, frozen, in_child=False)
    child = _entries(pack_audit.audit, people.auditor, frozen, in_child=True)
    assert sorted(child) == sorted(inline)
    pdfs = [n for n in inline if n.endswith(".pdf")]
    assert "report.pdf" in pdfs and any(n.startswith("documents/") for n in pdfs)
    for name, body in inline.items():
        assert child[name] == body, name  # PDFs, CSVs, index.html, manifest.json, SHA256SUMS
    assert list(temp.iterdir()) == []  # the child's folder is gone


def test_a_build_with_the_pdf_child_is_done_and_leaves_no_folder(pack_audit, people, settings, temp):
    settings.QMS_PACK_PDF_CHILD = True
    job = EvidencePackJob.objects.create(audit=pack_audit.audit, requested_by=people.auditor)
    job = evidence_pack_build(job_id=job.pk)
    assert job.status == PackStatus.DONE, job.failure_message
    with zipfile.ZipFile(default_storage.open(job.file_name, "rb")) as archive:
        assert archive.read("report.pdf").startswith(b"%PDF")
        assert archive.testzip() is None
    assert list(temp.iterdir()) == []


def test_a_renderer_that_dies_fails_the_build_with_its_message(pack_audit, people, settings, temp, monkeypatch):
    settings.QMS_PACK_PDF_CHILD = True
    monkeypatch.setattr("audits.packs.pdfs.CHILD_MODULE", "audits.packs.no_such_module")  # the child can't start
    job = EvidencePackJob.objects.create(audit=pack_audit.audit, requested_by=people.auditor)
    evidence_pack_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == PackStatus.FAILED
    assert "PDF renderer stopped" in job.failure_message and "no_such_module" in job.failure_message
    assert job.file_name == ""
    folder = f"evidence-packs/{pack_audit.audit.pk}"
    assert not default_storage.exists(folder) or default_storage.listdir(folder)[1] == []  # no ZIP, no part
    assert list(temp.iterdir()) == []


def test_the_worker_side_of_a_build_does_not_import_weasyprint():
    code = (
        "import sys, django; django.setup()\n"
        "from qms.celery import app; app.loader.import_default_modules()\n"
        "from django.core.checks import run_checks; run_checks()\n"  # a worker's start-up loads the URLconf
        "import audits.tasks, audits.packs.services, audits.packs.build, audits.pdf, docs_control.pdf_html\n"
        "assert 'weasyprint' not in sys.modules, 'weasyprint imported'\n"
        "print('clean')\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "qms.settings.test"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0 and "clean" in out.stdout, out.stderr[-2000:]
