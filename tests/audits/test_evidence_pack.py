"""A whole evidence pack built from an audit: contents, hashes, verify.py, links, CSV safety, names,
the SOP versions of the period, and the export record."""

import csv
import hashlib
import io
import json
import re
import subprocess
import sys
import zipfile
from urllib.parse import unquote

import pytest
from django.core.files.storage import default_storage

from audits.models import EvidencePackJob, PackStatus
from audits.packs.services import evidence_pack_build, evidence_pack_request, evidence_pack_verify
from tests.audits.pack_fixtures import FORMULA, make_pack_audit

CSVS = ["findings.csv", "checklist.csv", "post_reviews.csv", "sampling_lots.csv", "nonconformities.csv", "capas.csv"]


@pytest.fixture
def pack_audit(people):
    return make_pack_audit(people)


@pytest.fixture
def built(pack_audit, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = evidence_pack_request(audit_id=pack_audit.audit.pk, by=people.auditor)
    job.refresh_from_db()
    assert job.status == PackStatus.DONE, job.failure_message
    data = default_storage.open(job.file_name, "rb").read()
    return job, data


def test_the_pack_has_every_part_and_every_hash_matches(built, tmp_path):
    job, data = built
    assert job.size == len(data) and job.progress == 100
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        raw_manifest = archive.read("manifest.json")
        manifest = json.loads(raw_manifest)
        sums = archive.read("SHA256SUMS").decode()
        for required in ["index.html", "report.pdf", "verify.py", *CSVS]:
            assert required in names
        assert any(n.startswith("history/") for n in names)
        assert len(names) == len(set(names))
        listed = {f["path"]: f for f in manifest["files"]}
        assert set(names) == set(listed) | {"manifest.json", "SHA256SUMS"}
        for path, entry in listed.items():
            body = archive.read(path)
            assert hashlib.sha256(body).hexdigest() == entry["sha256"], path
            assert len(body) == entry["size"], path
        sum_lines = dict(reversed(line.split("  ", 1)) for line in sums.splitlines())
        assert sum_lines.pop("manifest.json") == hashlib.sha256(raw_manifest).hexdigest()
        assert sum_lines == {p: f["sha256"] for p, f in listed.items()}
        assert archive.read("report.pdf").startswith(b"%PDF")
        archive.extractall(tmp_path / "pack")
    assert job.manifest_sha256 == hashlib.sha256(raw_manifest).hexdigest()
    assert manifest["audit"]["reference"] == "AUD-2026-001"
    assert manifest["exported_by"]["name"] == "Erin Tester"
    assert manifest["product"]["version"]

    check = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=tmp_path / "pack", capture_output=True)
    assert check.returncode == 0, check.stdout
    ok = subprocess.run([sys.executable, "verify.py"], cwd=tmp_path / "pack", capture_output=True, text=True)
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stdout

    target = tmp_path / "pack" / "findings.csv"
    body = bytearray(target.read_bytes())
    body[-2] ^= 0x01
    target.write_bytes(bytes(body))
    bad = subprocess.run([sys.executable, "verify.py"], cwd=tmp_path / "pack", capture_output=True, text=True)
    assert bad.returncode == 1
    assert "CHANGED  findings.csv" in bad.stdout


def test_every_link_in_index_html_resolves_inside_the_zip_and_there_is_no_script(built):
    _, data = built
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        html = archive.read("index.html").decode()
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()  # the CSS is inlined
    links = re.findall(r'(?:href|src)="([^"]*)"', html)
    files = [unquote(link) for link in links if not link.startswith("#")]
    assert files, "index.html links no file"
    for link in files:
        assert "://" not in link and not link.startswith("/"), link
        assert link in names, link
    # every file of the pack is linked
    assert names <= set(files)
    assert "minor nonconformity" in html.lower()


def test_formula_payloads_are_neutralised_in_every_csv(built):
    _, data = built
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        tables = [n for n in archive.namelist() if n.endswith(".csv")]
        seen = 0
        for name in tables:
            rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8"))))
            assert rows and rows[0], f"{name} has no header row"
            for row in rows:
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)
                    seen += FORMULA in cell
    assert seen >= 10  # the payloads did reach the CSVs (findings, checklist, reviews, NCs, history...)


def test_attachment_names_are_safe_and_unique(built, pack_audit):
    _, data = built
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        evidence = sorted(n for n in archive.namelist() if n.startswith("evidence/"))
        bodies = {archive.read(n) for n in evidence}
    assert len(evidence) == len(pack_audit.attachments) == len(bodies)
    for name in evidence:
        leaf = name.split("/", 1)[1]
        assert "/" not in leaf and "\\" not in leaf and ".." not in leaf
        assert leaf.isprintable() and not leaf.startswith(".")
    assert set(evidence) == {
        "evidence/x.txt",
        "evidence/b.txt",
        "evidence/ctrl_char_line.txt",
        "evidence/dup.txt",
        "evidence/dup (2).txt",
        "evidence/Prüfbericht für Ärztin.txt",
        "evidence/_CON.txt",
    }


def test_sop_versions_in_effect_during_the_period_are_in_the_pack_and_later_ones_are_not(built, pack_audit):
    _, data = built
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        documents = {n for n in archive.namelist() if n.startswith("documents/")}
        for name in documents:
            assert archive.read(name).startswith(b"%PDF")
    expected = {f"documents/{v.document.number}-v{v.label}.pdf" for v in pack_audit.in_period}
    assert documents == expected  # includes SOP-A-001 v1.0, superseded since
    assert "documents/SOP-A-001-v1.0.pdf" in documents
    assert not any("SOP-B-002" in n for n in documents)  # effective only after the period


def test_the_export_is_recorded_with_its_history_and_verifies(built, people):
    job, data = built
    assert job.history.filter(history_change_reason__contains=job.manifest_sha256).exists()
    result, known, export = evidence_pack_verify(upload=io.BytesIO(data), by=people.auditor)
    assert result.intact and known and export == job


def test_a_changed_file_is_named_by_verify_a_pack(built, people):
    _, data = built
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, body + b"x" if info.filename == "evidence/dup.txt" else body)
    result, known, _ = evidence_pack_verify(upload=out, by=people.auditor)
    assert known  # the manifest is still the exported one
    assert result.changed == ["evidence/dup.txt"] and not result.missing and not result.added


def test_a_failed_build_is_failed_with_a_message_and_offers_no_file(pack_audit, people, monkeypatch):
    job = EvidencePackJob.objects.create(audit=pack_audit.audit, requested_by=people.auditor)

    def boom(_version):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr("audits.packs.build._version_pdf", boom)
    evidence_pack_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == PackStatus.FAILED and "renderer crashed" in job.failure_message
    assert job.file_name == "" and not job.is_downloadable
    assert default_storage.listdir(f"evidence-packs/{pack_audit.audit.pk}")[1] == []
    evidence_pack_build(job_id=job.pk)  # a redelivered task leaves a finished job alone
    job.refresh_from_db()
    assert job.attempts == 1


def test_a_second_request_while_one_is_running_returns_it(pack_audit, people):
    first = evidence_pack_request(audit_id=pack_audit.audit.pk, by=people.auditor)
    again = evidence_pack_request(audit_id=pack_audit.audit.pk, by=people.auditor)
    assert again == first


def test_a_build_superseded_by_a_newer_attempt_leaves_the_job_to_it(pack_audit, people, monkeypatch):
    """The task delivered twice: the first build finishes after a second attempt claimed the job."""
    from audits.packs import services

    job = EvidencePackJob.objects.create(audit=pack_audit.audit, requested_by=people.auditor)
    real_store = services.pack_store

    def store_then_lose_the_job(**kwargs):
        stored = real_store(**kwargs)
        services._claim(job.pk)  # meanwhile a redelivered task claims the job (attempt 2)
        return stored

    monkeypatch.setattr(services, "pack_store", store_then_lose_the_job)
    evidence_pack_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == PackStatus.RUNNING and job.attempts == 2 and job.file_name == ""
    assert default_storage.listdir(f"evidence-packs/{pack_audit.audit.pk}")[1] == []  # its ZIP is not kept


def test_a_pack_just_requested_is_not_sent_again_by_the_sweeper(pack_audit, people, django_capture_on_commit_callbacks):
    """A request waiting behind a long import has no heartbeat yet: the sweeper leaves it alone until
    it has waited QMS_JOB_QUEUED_STALE_SECONDS, counted from its creation (found by bench/load.py:
    the next sweep re-sent it and two workers built the same pack at once)."""
    from datetime import timedelta

    from django.utils import timezone

    from core.services.jobs import jobs_sweep

    job = evidence_pack_request(audit_id=pack_audit.audit.pk, by=people.auditor)  # its task waits in the broker
    with django_capture_on_commit_callbacks() as sent:
        assert jobs_sweep()["resent"] == 0
    assert sent == []
    EvidencePackJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks() as sent:
        assert jobs_sweep()["resent"] == 1
    assert len(sent) == 1


def test_a_pack_build_whose_worker_went_quiet_is_built_again_by_the_sweeper(
    pack_audit, people, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from core.services.jobs import jobs_sweep

    job = evidence_pack_request(audit_id=pack_audit.audit.pk, by=people.auditor)  # queued, task not run
    # A worker took it and died: running, one attempt, no heartbeat for ten minutes.
    EvidencePackJob.objects.filter(pk=job.pk).update(
        status=PackStatus.RUNNING, attempts=1, heartbeat_at=timezone.now() - timedelta(minutes=10)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_sweep()["resumed"] == 1
    job.refresh_from_db()
    assert job.status == PackStatus.DONE, job.failure_message
    assert job.attempts == 2 and default_storage.exists(job.file_name)
