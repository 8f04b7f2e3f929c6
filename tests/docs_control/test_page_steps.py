"""Signed steps from the pages: what was typed survives a wrong password; acknowledging from
the dashboard and the document page."""

import pytest

from docs_control.models import Acknowledgement
from tests.docs_control.conftest import draft_of, make_document, submit
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(people):
    version = draft_of(make_document(people))
    submit(people, version)
    return version


@pytest.mark.parametrize("step,modal", [("approve", "approve-modal"), ("reject", "reject-modal")])
def test_a_wrong_password_keeps_the_typed_comment(client_for, people, in_review, step, modal):
    response = client_for(people.lead).post(
        f"/documents/versions/{in_review.pk}/{step}/", {"password": "wrong", "comment": "Step 3 needs <b>a date</b>"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Step 3 needs &lt;b&gt;a date&lt;/b&gt;</textarea>" in page
    assert "password is not correct" in page
    assert f'id="{modal}" tabindex="-1" aria-labelledby="{modal}-title" aria-hidden="true" data-qms-open' in page
    in_review.refresh_from_db()
    assert in_review.status == "in_review"


def test_a_wrong_password_keeps_the_periodic_review_comment(client_for, people, effective):
    document, _version = effective
    response = client_for(people.lead).post(
        f"/documents/{document.pk}/review/", {"password": "wrong", "comment": "Still matches the platforms"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Still matches the platforms</textarea>" in page and "password is not correct" in page
    assert 'data-testid="step-errors"' in page


def test_a_wrong_password_when_acknowledging_reopens_the_dialog(client_for, people, effective):
    _document, version = effective
    response = client_for(people.reviewer).post(f"/documents/versions/{version.pk}/acknowledge/", {"password": "x"})
    assert response.status_code == 400
    assert 'id="ack-modal"' in response.content.decode() and "data-qms-open" in response.content.decode()
    assert not Acknowledgement.objects.get(version=version, user=people.reviewer).acknowledged_at


def test_the_dashboard_links_straight_to_the_version_to_acknowledge(client_for, people, effective):
    _document, version = effective
    page = client_for(people.reviewer).get("/").content.decode()
    assert f'href="/documents/versions/{version.pk}/" data-testid="panel-acks"' in page


def test_the_document_page_offers_acknowledge_to_who_must(client_for, people, effective):
    document, version = effective
    client = client_for(people.reviewer)
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert "Acknowledge v1.0" in page and f'action="/documents/versions/{version.pk}/acknowledge/"' in page
    response = client.post(f"/documents/versions/{version.pk}/acknowledge/", {"password": PASSWORD, "back": "document"})
    assert response.status_code == 302 and response["Location"] == f"/documents/{document.pk}/"
    assert Acknowledgement.objects.get(version=version, user=people.reviewer).acknowledged_at
    assert "Acknowledge v1.0" not in client.get(f"/documents/{document.pk}/").content.decode()


def test_the_new_document_form_is_styled(client_for, people):
    page = client_for(people.author).get("/documents/new/").content.decode()
    assert 'class="form-control"' in page and 'class="form-select"' in page
    assert 'name="number"' in page and "maxlength" in page
