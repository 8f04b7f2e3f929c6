"""Attack: learn another team's document numbers and social handles from "already used" errors.
Numbers are unique per team and handles per (team, platform), so another team's records never
stand in the way and are never mentioned."""

import pytest

from docs_control.models import Document
from post_reviews.models import SocialAccount
from tests.docs_control.conftest import make_document

pytestmark = pytest.mark.django_db


def _document(api, team, number="SOP-T-001"):
    return api.post("/api/v1/documents/", {"team": team.pk, "number": number, "title": "Ours", "body": "x"})


def _account(api, team, handle="brand-co"):
    return api.post("/api/v1/social-accounts/", {"team": team.pk, "platform": "linkedin", "handle": handle})


def test_another_team_can_use_the_same_document_number(api_for, people):
    make_document(people, number="SOP-SM-001")
    response = _document(api_for(people.outsider), people.team_b, "sop-sm-001")
    assert response.status_code == 201, response.json()
    assert Document.objects.filter(number="SOP-SM-001").count() == 2


def test_the_same_team_gets_a_clear_field_error_for_a_used_number(api_for, client_for, people):
    make_document(people, number="SOP-SM-001")
    response = _document(api_for(people.lead), people.team_a, "SOP-SM-001")
    assert response.status_code == 400
    assert response.json()["number"] == ["SOP-SM-001 is already used by another document in your team."]
    page = client_for(people.lead).post(
        "/documents/new/",
        {
            "team": people.team_a.pk,
            "number": "SOP-SM-001",
            "title": "Again",
            "kind": "sop",
            "review_interval_months": 12,
            "required_approvals": 1,
        },
    )
    assert page.status_code == 400  # the form again, with the error by its field
    assert "SOP-SM-001 is already used by another document in your team." in page.content.decode()


def test_another_team_can_follow_the_same_handle(api_for, people):
    assert _account(api_for(people.qa), people.team_a).status_code == 201
    response = _account(api_for(people.outsider), people.team_b)
    assert response.status_code == 201, response.json()
    assert SocialAccount.objects.filter(platform="linkedin", handle="brand-co").count() == 2


def test_the_same_team_gets_a_clear_field_error_for_a_used_handle(api_for, client_for, people):
    assert _account(api_for(people.qa), people.team_a).status_code == 201
    response = _account(api_for(people.lead), people.team_a, "@Brand-Co")
    assert response.status_code == 400
    assert response.json()["handle"] == ["@Brand-Co is already registered on this platform in your team."]
    page = client_for(people.lead).post(
        "/reviews/accounts/", {"team": people.team_a.pk, "platform": "linkedin", "handle": "brand-co"}
    )
    assert page.status_code == 200
    assert "@brand-co is already registered on this platform in your team." in page.content.decode()


def test_imports_find_the_handle_of_their_own_team(people):
    """The CSV import resolves `platform:handle` among the importing team's accounts only."""
    from post_reviews.services.imports import _accounts_of

    mine = SocialAccount.objects.create(team=people.team_a, platform="linkedin", handle="brand-co")
    SocialAccount.objects.create(team=people.team_b, platform="linkedin", handle="brand-co")
    assert _accounts_of(people.team_a.pk)["by_key"]["linkedin:brand-co"] == mine
