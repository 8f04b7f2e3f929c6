"""Everything is scoped to the user's teams: another team's object is a 404, never a 403."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.selectors import active_team_ids
from core.services import attachment_create, notification_enqueue

pytestmark = pytest.mark.django_db


def _attachment(team, user):
    upload = SimpleUploadedFile("note.txt", b"evidence text\n", content_type="text/plain")
    return attachment_create(team=team, upload=upload, by=user)


def test_team_page_of_another_team_is_404(client_for, people):
    client = client_for(people.outsider)
    assert client.get(f"/accounts/teams/{people.team_a.pk}/").status_code == 404
    assert client.get(f"/accounts/teams/{people.team_b.pk}/").status_code == 200
    assert client.get("/accounts/teams/999999/").status_code == 404


def test_attachment_of_another_team_is_404_on_page_and_api(client_for, api_for, people):
    attachment = _attachment(people.team_a, people.qa)
    assert client_for(people.outsider).get(f"/attachments/{attachment.pk}/").status_code == 404
    assert api_for(people.outsider).get(f"/api/v1/attachments/{attachment.pk}/").status_code == 404
    listing = api_for(people.outsider).get("/api/v1/attachments/").json()
    assert listing["results"] == []
    assert client_for(people.qa).get(f"/attachments/{attachment.pk}/").status_code == 200


def test_someone_elses_notification_is_404(client_for, api_for, people):
    notification, _ = notification_enqueue(
        recipient=people.qa, kind="test", subject=people.team_a, title="For alice only"
    )
    assert client_for(people.lead).post(f"/inbox/{notification.pk}/read/").status_code == 404
    assert api_for(people.lead).post(f"/api/v1/notifications/{notification.pk}/read/").status_code == 404
    assert "For alice only" not in client_for(people.lead).get("/inbox/").content.decode()


def test_team_switcher_only_accepts_own_teams(client_for, people):
    client = client_for(people.admin)
    client.post("/accounts/teams/switch/", {"team": str(people.team_b.pk), "next": "/"})
    assert client.session["active_team_id"] == people.team_b.pk
    outsider = client_for(people.outsider)
    outsider.post("/accounts/teams/switch/", {"team": str(people.team_a.pk), "next": "https://evil.example/"})
    assert "active_team_id" not in outsider.session
    assert active_team_ids(people.outsider, people.team_a.pk) == {people.team_b.pk}


def test_team_switch_refuses_offsite_redirect(client_for, people):
    response = client_for(people.qa).post("/accounts/teams/switch/", {"team": "", "next": "https://evil.example/"})
    assert response["Location"] == "/"
