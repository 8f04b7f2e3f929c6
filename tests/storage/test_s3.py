"""Private files in an S3-compatible bucket (moto's server on loopback): attachments, import files,
stored PDFs and evidence packs go in through django-storages and come out only through the app's
permission check, streamed or as a short-lived presigned URL."""

import hashlib
import io
import json
import urllib.request
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile

from audits.models import PackStatus
from audits.packs.services import evidence_pack_request
from audits.packs.storage import pack_store
from core.models import Attachment
from post_reviews import services as post_services
from tests.audits.pack_fixtures import make_pack_audit
from tests.test_attachments import PNG

pytestmark = [pytest.mark.django_db, pytest.mark.s3]


def _upload(api, team, name: str, content: bytes):
    file = io.BytesIO(content)
    file.name = name
    return api.post("/api/v1/attachments/", {"team": team.pk, "file": file}, format="multipart")


def _fetch(url: str):
    assert url.startswith("http://127.0.0.1:")  # the loopback endpoint, never anywhere else
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (loopback test server)
        return answer.read(), answer.headers  # case-insensitive


# --- settings ------------------------------------------------------------------------------------


def test_the_s3_storage_is_private_never_overwrites_and_signs_every_url(s3):
    storage = storages["default"]
    assert type(storage).__name__ == "S3Storage"
    assert storage.bucket_name == s3.name and storage.endpoint_url == s3.server.endpoint
    assert storage.file_overwrite is False and storage.default_acl == "private"
    assert storage.querystring_auth is True and storage.custom_domain is None
    url = storage.url("attachments/x.png")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url


def test_s3_without_a_bucket_or_with_an_unknown_storage_fails_loudly(monkeypatch):
    from qms.settings.env import default_storage_settings

    monkeypatch.setenv("QMS_STORAGE", "s3")
    monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME", raising=False)
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        default_storage_settings()
    monkeypatch.setenv("QMS_STORAGE", "ftp")
    with pytest.raises(ImproperlyConfigured, match="QMS_STORAGE"):
        default_storage_settings()
    monkeypatch.setenv("QMS_STORAGE", "local")
    assert default_storage_settings() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


# --- attachments ---------------------------------------------------------------------------------


def test_an_upload_lands_in_the_bucket_with_its_hash_and_downloads_as_the_same_bytes(s3, api_for, client_for, people):
    content = PNG + b"\x00" * 100_000
    response = _upload(api_for(people.qa), people.team_a, "post screenshot.png", content)
    assert response.status_code == 201, response.content
    body = response.json()
    attachment = Attachment.objects.get(pk=body["id"])
    assert s3.keys("attachments/") == [attachment.file.name]
    assert s3.read(attachment.file.name) == content
    assert body["sha256"] == attachment.sha256 == hashlib.sha256(content).hexdigest()

    page = client_for(people.lead).get(f"/attachments/{attachment.pk}/")
    assert page.status_code == 200 and page["Content-Length"] == str(len(content))
    assert b"".join(page.streaming_content) == content
    assert 'filename="post screenshot.png"' in page["Content-Disposition"]
    api = api_for(people.lead).get(f"/api/v1/attachments/{attachment.pk}/download/")
    assert api.status_code == 200 and b"".join(api.streaming_content) == content


def test_a_presigned_redirect_is_given_only_after_the_permission_check(
    s3, api_for, client_for, people, settings, monkeypatch
):
    settings.QMS_DOWNLOAD_MODE = "redirect"
    body = _upload(api_for(people.qa), people.team_a, "brief.pdf", b"%PDF-1.4\n%%EOF\n").json()

    touched = []
    import core.downloads

    real_exists = core.downloads.exists_or_unavailable
    monkeypatch.setattr(core.downloads, "exists_or_unavailable", lambda *a: touched.append(a) or real_exists(*a))
    outsider = client_for(people.outsider).get(f"/attachments/{body['id']}/")
    assert outsider.status_code == 404 and "Location" not in outsider
    assert b"%PDF" not in outsider.content and touched == []  # the bucket was not even asked

    answer = client_for(people.lead).get(f"/attachments/{body['id']}/")
    assert answer.status_code == 302 and touched
    url = answer["Location"]
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["60"] and "X-Amz-Signature" in query
    assert answer["Cache-Control"] == "private, no-store"
    data, headers = _fetch(url)
    assert data == b"%PDF-1.4\n%%EOF\n"
    assert headers["Content-Type"] == "application/pdf"
    assert 'filename="brief.pdf"' in headers["Content-Disposition"]


def test_a_missing_object_is_a_clear_410_on_the_page_and_the_api(s3, api_for, client_for, people, settings):
    body = _upload(api_for(people.qa), people.team_a, "notes.txt", b"call notes\n").json()
    key = Attachment.objects.get(pk=body["id"]).file.name
    s3.client.delete_object(Bucket=s3.name, Key=key)
    for mode in ("stream", "redirect"):
        settings.QMS_DOWNLOAD_MODE = mode
        page = client_for(people.lead).get(f"/attachments/{body['id']}/")
        assert page.status_code == 410, mode
        assert b"missing from the file storage" in page.content
        api = api_for(people.lead).get(f"/api/v1/attachments/{body['id']}/download/")
        assert api.status_code == 410 and "missing from the file storage" in api.json()["detail"]
    # Another team's attachment stays a plain 404, missing file or not.
    assert client_for(people.outsider).get(f"/attachments/{body['id']}/").status_code == 404


# --- import files and stored PDFs ----------------------------------------------------------------


def test_an_import_file_is_stored_read_and_downloaded_from_the_bucket(
    s3,
    people,
    accounts,
    client_for,
    django_capture_on_commit_callbacks,
):
    content = b"account,external_id,text,published_at,sponsored\nbrand.ig,ig-1,Hello,2026-01-05T09:30:00Z,no\n"
    with django_capture_on_commit_callbacks(execute=True):
        run = post_services.import_run_create(
            team_id=people.team_a.pk,
            upload=SimpleUploadedFile("posts.csv", content, content_type="text/csv"),
            kind="csv",
            by=people.qa,
        )
    run.refresh_from_db()
    assert run.status == "done" and run.created_count == 1, run.failure_message
    assert s3.keys("imports/") == [run.file.name] and s3.read(run.file.name) == content
    page = client_for(people.lead).get(f"/reviews/import/{run.pk}/file/")
    assert page.status_code == 200 and b"".join(page.streaming_content) == content
    assert client_for(people.outsider).get(f"/reviews/import/{run.pk}/file/").status_code == 404


def test_a_large_document_pdf_is_built_into_the_bucket_and_served_inline(
    s3, client_for, people, settings, django_capture_on_commit_callbacks
):
    from tests.docs_control.conftest import draft_of, make_document

    settings.QMS_PDF_INLINE_MAX_CHARS = 10
    version = draft_of(make_document(people))
    client = client_for(people.qa)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(f"/documents/versions/{version.pk}/pdf/").status_code == 302  # built by the worker
    assert len(s3.keys("pdfs/")) == 1
    answer = client.get(f"/documents/versions/{version.pk}/pdf/")
    assert answer.status_code == 200 and answer["Content-Disposition"].startswith("inline")
    assert b"".join(answer.streaming_content) == s3.read(s3.keys("pdfs/")[0])


# --- evidence packs ------------------------------------------------------------------------------


def test_an_evidence_pack_is_built_into_the_bucket_and_downloads_verified(
    s3, people, api_for, client_for, django_capture_on_commit_callbacks
):
    pack_audit = make_pack_audit(people)  # its evidence files are in the bucket too
    assert s3.keys("attachments/")
    with django_capture_on_commit_callbacks(execute=True):
        job = evidence_pack_request(audit_id=pack_audit.audit.pk, by=people.auditor)
    job.refresh_from_db()
    assert job.status == PackStatus.DONE, job.failure_message
    # Straight to its final key: no part object, no upload left open.
    assert s3.keys("evidence-packs/") == [job.file_name] and s3.open_uploads() == []
    stored = s3.read(job.file_name)
    assert len(stored) == job.size

    answer = api_for(people.auditor).get(f"/api/v1/evidence-pack-jobs/{job.pk}/download/")
    assert answer.status_code == 200, answer.content
    data = b"".join(answer.streaming_content)
    assert data == stored and answer["X-Manifest-SHA256"] == job.manifest_sha256
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        raw = archive.read("manifest.json")
        assert hashlib.sha256(raw).hexdigest() == job.manifest_sha256
        for entry in json.loads(raw)["files"]:
            assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"], entry["path"]
        assert any(n.startswith("evidence/") for n in archive.namelist())
    # Another team's person: 404, zero bytes, whatever the download mode.
    outsider = client_for(people.outsider).get(f"/audits/evidence-packs/{job.pk}/download/")
    assert outsider.status_code == 404 and b"PK" not in outsider.content[:4]


def test_a_pack_streams_into_the_bucket_in_parts_without_a_copy(s3):
    part = b"z" * (1024 * 1024)
    name, size = pack_store(storage=default_storage, final_name="evidence-packs/9/big.zip", chunks=iter([part] * 20))
    assert (name, size) == ("evidence-packs/9/big.zip", 20 * len(part))
    head = s3.client.head_object(Bucket=s3.name, Key=name)
    assert head["ContentLength"] == size and head["ContentType"] == "application/zip"
    assert head["ETag"].strip('"').endswith("-3")  # three 8 MiB parts: a multipart upload
    assert s3.keys("evidence-packs/") == [name]
