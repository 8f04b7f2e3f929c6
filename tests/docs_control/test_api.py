import pytest

from core.models import Signature
from docs_control import services
from docs_control.models import Document
from tests.docs_control.conftest import draft_of, make_document, submit
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

V = "/api/v1/document-versions"


def test_full_api_journey(api_for, people):
    author = api_for(people.author)
    created = author.post(
        "/api/v1/documents/",
        {"team": people.team_a.pk, "number": "sop-api-1", "title": "API SOP", "body": "Old text here."},
        format="json",
    )
    assert created.status_code == 201, created.json()
    doc = created.json()
    assert doc["number"] == "SOP-API-1" and doc["latest_status"] == "draft"
    version_id = author.get(f"{V}/?document={doc['id']}").json()["results"][0]["id"]
    patched = author.patch(f"{V}/{version_id}/", {"body": "New text here.", "lock_version": 1}, format="json")
    assert patched.status_code == 200 and patched.json()["lock_version"] == 2
    stale = author.patch(f"{V}/{version_id}/", {"body": "Stale", "lock_version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["current"]["body"] == "New text here."
    sub = author.post(f"{V}/{version_id}/submit/", {"approvers": [people.lead.pk]}, format="json")
    assert sub.status_code == 200 and sub.json()["status"] == "in_review"

    lead = api_for(people.lead)
    wrong = lead.post(f"{V}/{version_id}/approve/", {"password": "nope"}, format="json")
    assert wrong.status_code == 400 and "password" in wrong.json()
    assert Signature.objects.count() == 0
    ok = lead.post(f"{V}/{version_id}/approve/", {"password": PASSWORD, "comment": "Fine"}, format="json")
    assert ok.status_code == 200
    body = ok.json()
    assert body["status"] == "effective"
    assert body["signatures"][0]["printed_name"] == "Ben Tester"
    assert body["signatures"][0]["meaning"] == "approved"

    again = lead.post(f"{V}/{version_id}/reject/", {"password": PASSWORD, "comment": "late"}, format="json")
    assert again.status_code == 409 and again.json()["current_status"] == "effective"

    ack = author.post(f"{V}/{version_id}/acknowledge/", {"password": PASSWORD}, format="json")
    assert ack.status_code == 200 and ack.json()["acknowledged_at"]

    new = author.post(f"{V}/", {"document": doc["id"], "change_summary": "v1.1"}, format="json")
    assert new.status_code == 201 and new.json()["label"] == "1.1"
    diff = author.get(f"{V}/{new.json()['id']}/diff/?against={version_id}").json()
    assert diff["added_words"] == 0 and diff["against"] == version_id

    pdf = author.get(f"{V}/{version_id}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_obsolete_without_reason_is_400_and_changes_nothing(api_for, people, effective):
    _, version = effective
    response = api_for(people.lead).post(f"{V}/{version.pk}/obsolete/", {"reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    version.refresh_from_db()
    assert version.status == "effective"


def test_second_draft_is_409_not_500(api_for, people, document):
    response = api_for(people.author).post(f"{V}/", {"document": document.pk}, format="json")
    assert response.status_code == 409


def test_author_cannot_approve_through_the_api(api_for, people):
    document = make_document(people)
    version = draft_of(document)
    submit(people, version)
    response = api_for(people.author).post(f"{V}/{version.pk}/approve/", {"password": PASSWORD}, format="json")
    assert response.status_code == 403


def test_another_teams_document_is_404_everywhere(api_for, people, effective):
    document, version = effective
    api = api_for(people.outsider)
    for url in [
        f"/api/v1/documents/{document.pk}/",
        f"{V}/{version.pk}/",
        f"{V}/{version.pk}/diff/",
        f"{V}/{version.pk}/pdf/",
    ]:
        assert api.get(url).status_code == 404, url
    assert api.post(f"{V}/{version.pk}/obsolete/", {"reason": "x"}, format="json").status_code == 404
    assert api.patch(f"/api/v1/documents/{document.pk}/", {"title": "hijack"}, format="json").status_code == 404
    assert api.get("/api/v1/documents/").json()["results"] == []
    assert api.get(f"{V}/").json()["results"] == []


def test_bad_input_is_reported_by_field(api_for, people):
    api = api_for(people.author)
    response = api.post("/api/v1/documents/", {"team": "x", "number": "", "review_interval_months": 0}, format="json")
    assert response.status_code == 400
    assert {"team", "number", "title", "review_interval_months"} <= set(response.json())
    assert Document.objects.count() == 0
    assert api.get("/api/v1/documents/?status=bogus").status_code == 400
    assert api.get("/api/v1/documents/?unknown=1").status_code == 400
    for query in ("kind=sopp", "review_due=perhaps", "awaiting_my_approval=2"):
        response = api.get(f"/api/v1/documents/?{query}")
        assert response.status_code == 400 and query.split("=")[0] in response.json()
    assert api.get("/api/v1/documents/?awaiting_my_approval=on&review_due=false").status_code == 200


def test_metadata_update(api_for, people, document):
    response = api_for(people.lead).patch(
        f"/api/v1/documents/{document.pk}/",
        {"title": "Publishing social posts", "required_approvals": 2},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["required_approvals"] == 2
    forbidden = api_for(people.reviewer).patch(f"/api/v1/documents/{document.pk}/", {"title": "x"}, format="json")
    assert forbidden.status_code == 403
    external = api_for(people.lead).patch(f"/api/v1/documents/{document.pk}/", {"kind": "external"}, format="json")
    assert external.status_code == 400 and "source_url" in external.json()
    document.refresh_from_db()
    assert document.kind != "external"


def test_list_query_count_is_bounded(api_for, people, django_assert_max_num_queries):
    for i in range(3):
        make_document(people, number=f"SOP-Q-{i}")
    api = api_for(people.qa)
    with django_assert_max_num_queries(8) as small:
        api.get("/api/v1/documents/")
        api.get(f"{V}/")
    for i in range(3, 25):
        make_document(people, number=f"SOP-Q-{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(api.get("/api/v1/documents/").json()["results"]) == 25
        assert len(api.get(f"{V}/").json()["results"]) == 25


def test_pdf_is_served_to_a_client_asking_for_application_pdf(api_for, people, effective):
    _document, version = effective
    response = api_for(people.author).get(f"{V}/{version.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    missing = api_for(people.outsider).get(f"{V}/{version.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert missing.status_code == 404 and "detail" in missing.json()


def _revise(people, document, text="\nOne more step."):
    new = services.version_create_draft(document_id=document.pk, by=people.author, change_summary="more")
    services.version_update_draft(
        version_id=new.pk, by=people.author, body=new.body + text, change_summary="more", lock_version=1
    )
    return new


def test_diff_of_an_effective_version_defaults_to_its_superseded_predecessor(api_for, people, effective):
    document, old = effective
    new = _revise(people, document)
    submit(people, new)
    services.version_approve(version_id=new.pk, by=people.lead, password=PASSWORD)
    body = api_for(people.author).get(f"{V}/{new.pk}/diff/").json()
    assert body["against"] == old.pk
    assert body["added_words"] > 0 and body["removed_words"] == 0


def test_diff_of_a_draft_defaults_to_the_version_in_force(api_for, people, effective):
    document, old = effective
    new = _revise(people, document)
    assert api_for(people.author).get(f"{V}/{new.pk}/diff/").json()["against"] == old.pk
    first = api_for(people.author).get(f"{V}/{old.pk}/diff/").json()
    assert first["against"] is None and first["removed_words"] == 0
