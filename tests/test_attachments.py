import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.exceptions import ValidationError
from core.models import Attachment
from core.services import attachment_create

pytestmark = pytest.mark.django_db

# The smallest valid PNG: signature, IHDR, IDAT, IEND.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(api, team, name, content):
    file = io.BytesIO(content)
    file.name = name
    return api.post("/api/v1/attachments/", {"team": team.pk, "file": file}, format="multipart")


def _stored_files(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_upload_stores_file_under_random_name_with_matching_sha256(api_for, people, settings):
    response = _upload(api_for(people.qa), people.team_a, "post screenshot.png", PNG)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert body["content_type"] == "image/png"
    assert body["original_name"] == "post screenshot.png"
    attachment = Attachment.objects.get(pk=body["id"])
    assert "screenshot" not in attachment.file.name
    with attachment.file.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == attachment.sha256


def test_download_gives_the_same_bytes_with_the_original_name(client_for, api_for, people):
    body = _upload(api_for(people.qa), people.team_a, "brief.pdf", PDF).json()
    response = client_for(people.lead).get(f"/attachments/{body['id']}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert 'filename="brief.pdf"' in response["Content-Disposition"]


def test_over_size_is_refused(api_for, people, settings):
    settings.QMS_ATTACHMENT_MAX_BYTES = 1024
    response = _upload(api_for(people.qa), people.team_a, "big.txt", b"a" * 2048)
    assert response.status_code == 400
    assert "larger than" in response.json()["file"][0]
    assert Attachment.objects.count() == 0
    assert _stored_files(settings) == []


def test_content_that_does_not_match_the_extension_is_refused(api_for, people, settings):
    response = _upload(api_for(people.qa), people.team_a, "photo.png", b"just some text, not an image")
    assert response.status_code == 400
    assert "not the .png" in response.json()["file"][0]
    response = _upload(api_for(people.qa), people.team_a, "notes.txt", PNG)
    assert response.status_code == 400
    assert Attachment.objects.count() == 0
    assert _stored_files(settings) == []


def test_disallowed_type_is_refused(api_for, people):
    response = _upload(api_for(people.qa), people.team_a, "run.exe", b"MZ\x90\x00" + b"\x00" * 100)
    assert response.status_code == 400
    assert "not accepted" in response.json()["file"][0]


def test_path_like_name_is_refused_over_http(api_for, people, settings):
    response = _upload(api_for(people.qa), people.team_a, "../../etc/passwd", b"root:x:0:0\n")
    assert response.status_code == 400
    assert Attachment.objects.count() == 0
    assert _stored_files(settings) == []


@pytest.mark.parametrize("name", ["../../etc/passwd", "..\\..\\boot.ini", ".htaccess", "a/b.txt", "x\x00.txt"])
def test_path_like_names_are_refused_by_the_service(people, name):
    upload = SimpleUploadedFile("ok.txt", b"hello\n")
    with pytest.raises(ValidationError) as exc:
        attachment_create(team=people.team_a, upload=upload, by=people.qa, name=name)
    assert "file" in exc.value.errors


def test_upload_to_another_team_is_404(api_for, people):
    response = _upload(api_for(people.outsider), people.team_a, "note.txt", b"hello\n")
    assert response.status_code == 404
    assert Attachment.objects.count() == 0


def test_missing_file_is_a_field_error(api_for, people):
    response = api_for(people.qa).post("/api/v1/attachments/", {"team": people.team_a.pk}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_non_utf8_text_is_refused(api_for, people):
    response = _upload(api_for(people.qa), people.team_a, "notes.csv", b"name\n\xff\xfe broken\n")
    assert response.status_code == 400
    assert "UTF-8" in response.json()["file"][0]


def test_a_file_missing_from_local_storage_is_a_clear_410_not_a_500(client_for, api_for, people):
    body = _upload(api_for(people.qa), people.team_a, "brief.pdf", PDF).json()
    attachment = Attachment.objects.get(pk=body["id"])
    attachment.file.storage.delete(attachment.file.name)
    page = client_for(people.lead).get(f"/attachments/{body['id']}/")
    assert page.status_code == 410 and b"missing from the file storage" in page.content
    api = api_for(people.lead).get(f"/api/v1/attachments/{body['id']}/download/")
    assert api.status_code == 410 and "missing from the file storage" in api.json()["detail"]
    assert api_for(people.outsider).get(f"/api/v1/attachments/{body['id']}/download/").status_code == 404
