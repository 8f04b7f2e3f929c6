import pytest
from playwright.sync_api import expect

from accounts.models import ApiToken, Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_a_team_admin_adds_a_member_and_changes_a_role_from_the_team_page(
    page, live_server, people_live, problems, login
):
    UserFactory(username="nora")
    login("admin")
    page.goto(f"{live_server.url}/accounts/teams/{people_live.team_a.pk}/")
    page.get_by_test_id("manage-members").click()
    expect(page.get_by_role("heading", name="Brand: members and roles")).to_be_visible()

    page.get_by_label("Username").fill("nora")
    page.get_by_label("Role", exact=True).select_option("reviewer")
    page.get_by_label("Reason (optional)").fill("joins the social desk")
    page.get_by_test_id("add-member").click()
    expect(page.get_by_role("alert")).to_contain_text("Nora Tester is now Reviewer in Brand.")
    expect(page.get_by_test_id("member-history")).to_contain_text("joins the social desk")

    row = page.get_by_test_id("member-nora-reviewer")
    row.get_by_label("Role of Nora Tester", exact=True).select_option("team_lead")
    row.get_by_role("button", name="Change").click()
    expect(page.get_by_test_id("member-nora-team_lead")).to_be_visible()
    assert Membership.objects.get(user__username="nora").role == "team_lead"
    assert problems.items == []


def test_a_person_creates_an_api_token_and_sees_its_key_once(page, live_server, people_live, problems, login):
    login("alice")
    page.goto(f"{live_server.url}/accounts/profile/")
    page.get_by_label("Name").fill("reporting")
    page.get_by_test_id("create-token").click()
    key = page.get_by_label("New token key").input_value()
    assert ApiToken.objects.get(user=people_live.qa).prefix == key[:8]
    page.goto(f"{live_server.url}/accounts/profile/")
    expect(page.get_by_test_id("new-token")).to_have_count(0)
    expect(page.get_by_test_id("tokens")).to_contain_text(f"{key[:8]}…")
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_test_id("tokens")).to_contain_text("No API tokens.")
    assert problems.items == []
