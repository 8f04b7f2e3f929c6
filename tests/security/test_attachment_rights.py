"""Attack: a viewer (or an admin who only manages members) uploads files into a team's records."""

import io

import pytest

from capa.workflow import Status
from core.models import Attachment
from tests.capa.conftest import capa_at

pytestmark = pytest.mark.django_db


def _upload(api, team):
    file = io.BytesIO(b"evidence\n")
    file.name = "evidence.txt"
    return api.post("/api/v1/attachments/", {"team": team.pk, "file": file}, format="multipart")


@pytest.mark.parametrize("persona", ["viewer", "admin"])
def test_read_only_people_cannot_upload(api_for, people, settings, persona):
    response = _upload(api_for(getattr(people, persona)), people.team_a)
    assert response.status_code == 403
    assert Attachment.objects.count() == 0
    media = settings.MEDIA_ROOT
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.parametrize("persona", ["author", "qa", "lead", "auditor"])
def test_people_who_work_on_records_can_upload(api_for, people, persona):
    # The auditor uploads evidence for the audits they run (Right.AUDIT_RUN).
    assert _upload(api_for(getattr(people, persona)), people.team_a).status_code == 201


def test_another_teams_record_is_404(api_for, people):
    assert _upload(api_for(people.outsider), people.team_a).status_code == 404
    capa = capa_at(people, Status.IMPLEMENTING)
    item = capa.items.get()
    file = io.BytesIO(b"evidence\n")
    file.name = "evidence.txt"
    response = api_for(people.outsider).post(
        f"/api/v1/capas/{capa.pk}/actions/{item.pk}/complete/", {"note": "done", "evidence": file}, format="multipart"
    )
    assert response.status_code == 404
    assert not Attachment.objects.filter(record_id=item.pk).exists()


def test_a_viewer_cannot_attach_evidence_to_a_capa_action(api_for, people):
    capa = capa_at(people, Status.IMPLEMENTING)
    item = capa.items.get()
    file = io.BytesIO(b"evidence\n")
    file.name = "evidence.txt"
    response = api_for(people.viewer).post(
        f"/api/v1/capas/{capa.pk}/actions/{item.pk}/complete/", {"note": "done", "evidence": file}, format="multipart"
    )
    assert response.status_code in (403, 404)
    assert not Attachment.objects.filter(record_id=item.pk).exists()
