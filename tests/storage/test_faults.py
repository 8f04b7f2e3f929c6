"""Storage failures while a file is written or read: a full disk (a storage that writes part of the
file, then fails with ENOSPC, as FileSystemStorage does) and an S3 endpoint that stops answering
mid-test. Each answers a clear error, records nothing, and leaves no partial file or object."""

import errno
import io
import os
import time

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from audits.models import EvidencePackJob, PackStatus
from audits.packs.services import evidence_pack_build
from audits.packs.storage import pack_store
from core.exceptions import StorageUnavailable
from core.models import Attachment
from core.storage import abort_incomplete_uploads
from post_reviews.models import ImportRun
from tests.audits.pack_fixtures import make_pack_audit
from tests.test_attachments import PNG

pytestmark = [pytest.mark.django_db, pytest.mark.fault]


def _stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def full_disk(monkeypatch):
    """Local storage that gets a few bytes onto the disk and then runs out of space."""
    written = []

    def save(self, name, content):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            for chunk in content.chunks():
                fh.write(chunk[:10])
                break
        written.append(path)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", save)
    return written


def _api_upload(api, team, name, content):
    file = io.BytesIO(content)
    file.name = name
    return api.post("/api/v1/attachments/", {"team": team.pk, "file": file}, format="multipart")


# --- a full disk ----------------------------------------------------------------------------------


def test_an_upload_to_a_full_disk_is_a_503_with_no_row_and_no_partial_file(full_disk, api_for, people, settings):
    response = _api_upload(api_for(people.qa), people.team_a, "shot.png", PNG)
    assert response.status_code == 503
    assert "could not be stored: the storage is full" in response.json()["detail"]
    assert response["Retry-After"]
    assert full_disk and not os.path.exists(full_disk[0])  # the partial file was written, then removed
    assert Attachment.objects.count() == 0 and _stored_files(settings) == []


def test_an_import_upload_to_a_full_disk_shows_the_error_page_and_keeps_nothing(
    full_disk,
    client_for,
    people,
    accounts,
    settings,
):
    upload = SimpleUploadedFile("posts.csv", b"account,external_id,text,published_at,sponsored\n")
    page = client_for(people.qa).post("/reviews/import/", {"team": people.team_a.pk, "kind": "csv", "file": upload})
    assert page.status_code == 503
    assert b"The import file could not be stored: the storage is full" in page.content
    assert ImportRun.objects.count() == 0 and _stored_files(settings) == []


def test_a_pack_written_to_a_full_disk_fails_with_a_message_and_offers_nothing(people, monkeypatch, settings):
    pack_audit = make_pack_audit(people)  # its evidence files are stored before the disk fills
    job = EvidencePackJob.objects.create(audit=pack_audit.audit, requested_by=people.auditor)
    written = []

    def save(self, name, content):
        written.append(name)
        os.makedirs(os.path.dirname(self.path(name)), exist_ok=True)
        with open(self.path(name), "wb") as fh:
            fh.write(content.read(1024))  # the stream has started: part of the ZIP is on disk
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", save)
    evidence_pack_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == PackStatus.FAILED
    assert "The evidence pack could not be stored: the storage is full" in job.failure_message
    assert job.file_name == "" and not job.is_downloadable
    assert written and written[0].endswith(".part")
    assert default_storage.listdir(f"evidence-packs/{pack_audit.audit.pk}")[1] == []


# --- an S3 endpoint that stops answering ----------------------------------------------------------


@pytest.mark.s3
def test_an_upload_while_s3_is_down_is_a_503_with_no_row_and_no_object(s3_to_break, api_for, people):
    s3_to_break.server.stop()
    response = _api_upload(api_for(people.qa), people.team_a, "shot.png", PNG)
    assert response.status_code == 503
    assert "could not be stored: the file storage can't be reached" in response.json()["detail"]
    assert Attachment.objects.count() == 0
    s3_to_break.server.start()
    assert s3_to_break.keys() == []


@pytest.mark.s3
def test_a_download_while_s3_is_down_is_a_503_not_a_500(s3_to_break, api_for, client_for, people):
    body = _api_upload(api_for(people.qa), people.team_a, "shot.png", PNG).json()
    s3_to_break.server.stop()
    api = api_for(people.lead).get(f"/api/v1/attachments/{body['id']}/download/")
    assert api.status_code == 503 and "can't be read now" in api.json()["detail"]
    page = client_for(people.lead).get(f"/attachments/{body['id']}/")
    assert page.status_code == 503 and b"can&#x27;t be read now" in page.content


@pytest.mark.s3
def test_s3_stopping_while_a_pack_is_written_fails_the_job_and_leaves_no_object(s3_to_break, people, monkeypatch):
    pack_audit = make_pack_audit(people)
    job = EvidencePackJob.objects.create(audit=pack_audit.audit, requested_by=people.auditor)
    import audits.packs.build as build

    real_pdf = build._version_pdf

    def pdf_then_outage(version):
        data = real_pdf(version)
        s3_to_break.server.stop()  # the stream has started; the upload has not finished
        return data

    monkeypatch.setattr(build, "_version_pdf", pdf_then_outage)
    evidence_pack_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == PackStatus.FAILED
    assert "The evidence pack could not be stored: the file storage can't be reached" in job.failure_message
    assert job.file_name == "" and not job.is_downloadable
    s3_to_break.server.start()
    assert s3_to_break.keys("evidence-packs/") == [] and s3_to_break.open_uploads() == []


@pytest.mark.s3
def test_a_multipart_upload_cut_off_mid_way_is_aborted_by_the_next_attempt(s3_to_break):
    part = b"q" * (1024 * 1024)

    def chunks():
        yield from [part] * 9  # enough for the first 8 MiB part
        # The storage writes in its own thread (audits/packs/storage.py): let it open the upload
        # and send that part before the server goes away.
        deadline = time.monotonic() + 60
        while not s3_to_break.open_uploads() and time.monotonic() < deadline:
            time.sleep(0.05)
        s3_to_break.server.stop()
        yield from [part] * 9

    with pytest.raises(StorageUnavailable, match="can't be reached"):
        pack_store(storage=default_storage, final_name="evidence-packs/7/AUD-pack-1-x.zip", chunks=chunks())
    s3_to_break.server.start()
    assert s3_to_break.keys() == []  # never an object: the upload was not completed
    # The abort could not reach the server; the next attempt of the job removes the open upload.
    assert s3_to_break.open_uploads() == ["evidence-packs/7/AUD-pack-1-x.zip"]
    assert abort_incomplete_uploads(default_storage, "evidence-packs/7/AUD-pack-1-") == 1
    assert s3_to_break.open_uploads() == []


@pytest.mark.s3
def test_an_import_whose_file_cant_be_read_fails_with_a_message_and_retries_once_s3_is_back(
    s3_to_break,
    people,
    accounts,
    django_capture_on_commit_callbacks,
):
    from post_reviews import services as post_services

    content = b"account,external_id,text,published_at,sponsored\nbrand.ig,ig-1,Hello,2026-01-05T09:30:00Z,no\n"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = post_services.import_run_create(
            team_id=people.team_a.pk,
            upload=SimpleUploadedFile("posts.csv", content, content_type="text/csv"),
            kind="csv",
            by=people.qa,
        )
    s3_to_break.server.stop()  # stored, then the bucket goes away before the worker reads it
    for callback in callbacks:
        callback()
    run.refresh_from_db()
    assert run.status == "failed"
    assert "The import file could not be read (the file storage can't be reached)" in run.failure_message
    s3_to_break.server.start()
    with django_capture_on_commit_callbacks(execute=True):
        post_services.import_run_retry(import_run_id=run.pk, by=people.qa)
    run.refresh_from_db()
    assert run.status == "done" and run.created_count == 1


def test_an_evidence_file_missing_from_storage_fails_the_pack_naming_it(people):
    pack_audit = make_pack_audit(people)
    gone = pack_audit.attachments[0]
    gone.file.storage.delete(gone.file.name)
    job = EvidencePackJob.objects.create(audit=pack_audit.audit, requested_by=people.auditor)
    evidence_pack_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == PackStatus.FAILED and not job.is_downloadable
    assert "evidence/" in job.failure_message and "is missing from the file storage" in job.failure_message
    assert default_storage.listdir(f"evidence-packs/{pack_audit.audit.pk}")[1] == []
