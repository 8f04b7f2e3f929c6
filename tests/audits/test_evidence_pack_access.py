"""Evidence pack API and pages: start, poll, download, verify; and the 404s with zero bytes."""

import hashlib
import io
import zipfile

import pytest

from audits.models import PackStatus
from tests.audits.pack_fixtures import make_pack_audit


@pytest.fixture(autouse=True)
def _quick_pdfs(monkeypatch):
    # The PDFs themselves are tested with the pack's contents; here they only slow the wiring down.
    monkeypatch.setattr("audits.packs.build._report_pdf", lambda _audit: b"%PDF-1.7 report")
    monkeypatch.setattr("audits.packs.build._version_pdf", lambda _version: b"%PDF-1.7 sop")


@pytest.fixture
def pack_audit(people):
    return make_pack_audit(people)


@pytest.fixture
def exported(pack_audit, people, api_for, django_capture_on_commit_callbacks):
    """X's pack exported by its lead auditor (erin), Y's by its lead (the QA manager)."""
    jobs = {}
    for key, audit, user in (("x", pack_audit.audit, people.auditor), ("y", pack_audit.other, people.qa)):
        with django_capture_on_commit_callbacks(execute=True):
            response = api_for(user).post(f"/api/v1/audits/{audit.pk}/evidence-pack/")
        assert response.status_code == 202, response.content
        jobs[key] = response.json()
    return jobs


def test_api_starts_a_build_and_the_job_offers_the_download_when_done(exported, people, api_for):
    job = exported["x"]
    assert set(job) >= {"id", "status", "progress"}
    api = api_for(people.auditor)
    detail = api.get(f"/api/v1/evidence-pack-jobs/{job['id']}/").json()
    assert detail["status"] == PackStatus.DONE and detail["progress"] == 100
    assert detail["size"] > 0 and len(detail["manifest_sha256"]) == 64
    download = api.get(detail["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    data = b"".join(download.streaming_content)
    assert len(data) == detail["size"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert hashlib.sha256(archive.read("manifest.json")).hexdigest() == detail["manifest_sha256"]

    verified = api.post("/api/v1/evidence-packs/verify/", {"file": io.BytesIO(data)}, format="multipart").json()
    assert verified["known"] and verified["intact"] and verified["export"]["id"] == job["id"]

    tampered = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, body.replace(b"Tester", b"Texter") if info.filename == "index.html" else body)
    tampered.seek(0)
    verdict = api.post("/api/v1/evidence-packs/verify/", {"file": tampered}, format="multipart").json()
    assert verdict["known"] and not verdict["intact"] and verdict["changed"] == ["index.html"]


def test_verify_refuses_what_is_not_a_pack(people, api_for):
    response = api_for(people.auditor).post(
        "/api/v1/evidence-packs/verify/", {"file": io.BytesIO(b"not a zip")}, format="multipart"
    )
    assert response.status_code == 400 and "file" in response.json()


def test_another_audits_pack_and_job_are_404_with_zero_bytes(exported, people, api_for, client_for):
    y = exported["y"]["id"]
    erin = api_for(people.auditor)  # lead auditor of X, not assigned to Y
    for url in (f"/api/v1/evidence-pack-jobs/{y}/", f"/api/v1/evidence-pack-jobs/{y}/download/"):
        response = erin.get(url)
        assert response.status_code == 404, url
        assert not response.streaming and b"PK\x03\x04" not in response.content
    assert erin.post(f"/api/v1/audits/{exported['y']['audit']}/evidence-pack/").status_code == 404

    outsider = api_for(people.outsider)  # another team's team lead
    assert outsider.get(f"/api/v1/evidence-pack-jobs/{exported['x']['id']}/download/").status_code == 404

    page = client_for(people.auditor)
    for url in (
        f"/audits/evidence-packs/{y}/",
        f"/audits/evidence-packs/{y}/download/",
        f"/audits/{exported['y']['audit']}/evidence-packs/",
    ):
        response = page.get(url)
        assert response.status_code == 404, url
        assert not response.streaming and b"PK\x03\x04" not in response.content


def test_a_verify_of_another_audits_pack_says_genuine_but_not_whose(exported, people, api_for):
    data = b"".join(
        api_for(people.qa).get(f"/api/v1/evidence-pack-jobs/{exported['y']['id']}/download/").streaming_content
    )
    verdict = api_for(people.auditor).post(
        "/api/v1/evidence-packs/verify/", {"file": io.BytesIO(data)}, format="multipart"
    )
    assert verdict.json()["known"] and verdict.json()["export"] is None


def test_a_viewer_can_neither_export_nor_see_packs(pack_audit, people, api_for):
    assert api_for(people.viewer).post(f"/api/v1/audits/{pack_audit.audit.pk}/evidence-pack/").status_code == 404


def test_the_audit_page_section_lists_exports_with_their_hash_and_downloads(exported, people, client_for, pack_audit):
    client = client_for(people.auditor)
    page = client.get(f"/audits/{pack_audit.audit.pk}/evidence-packs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="pack-export"' in html
    job = client.get(f"/api/v1/evidence-pack-jobs/{exported['x']['id']}/").json()
    assert job["manifest_sha256"] in html
    partial = client.get(f"/audits/{pack_audit.audit.pk}/evidence-packs/", headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b"evidence-packs" in partial.content
    row = client.get(f"/audits/evidence-packs/{job['id']}/").content.decode()
    assert "hx-trigger" not in row and "Download" in row  # done: no more polling
    download = client.get(f"/audits/evidence-packs/{job['id']}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"


def test_an_export_in_progress_is_polled_and_offers_no_download(pack_audit, people, client_for):
    client = client_for(people.auditor)
    client.post(f"/audits/{pack_audit.audit.pk}/evidence-packs/start/")  # on_commit never runs: stays queued
    job = pack_audit.audit.evidence_packs.get()
    row = client.get(f"/audits/evidence-packs/{job.pk}/").content.decode()
    assert "hx-trigger" in row and "Download" not in row
    assert client.get(f"/audits/evidence-packs/{job.pk}/download/").status_code == 404


def test_the_verify_page_reports_a_genuine_pack(exported, people, client_for, api_for):
    data = b"".join(
        api_for(people.auditor).get(f"/api/v1/evidence-pack-jobs/{exported['x']['id']}/download/").streaming_content
    )
    upload = io.BytesIO(data)
    upload.name = "pack.zip"
    response = client_for(people.auditor).post("/audits/evidence-packs/verify/", {"file": upload})
    assert response.status_code == 200
    assert "This is a pack this system exported" in response.content.decode()
