import pytest
from playwright.sync_api import expect

from core.services import notification_enqueue

pytestmark = pytest.mark.browser


def test_alice_sees_dashboard_and_inbox_without_console_errors_then_logs_out(
    page, live_server, people_live, problems, login
):
    notification_enqueue(
        recipient=people_live.qa, kind="demo", subject=people_live.team_a, title="Acknowledge SOP-SM-001 v2.0"
    )
    login("alice")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Documents")
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    expect(page.get_by_test_id("user-menu")).to_contain_text("Alice")

    page.get_by_test_id("nav-inbox").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(page.get_by_test_id("inbox-item")).to_contain_text("Acknowledge SOP-SM-001 v2.0")
    page.get_by_role("button", name="Mark read").click()
    expect(page.get_by_test_id("inbox-empty")).to_be_visible()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page.get_by_role("heading", name="You are logged out")).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    assert problems.items == []


def test_team_switcher_narrows_to_one_team(page, live_server, people_live, problems, login):
    login("admin")
    page.get_by_label("Team", exact=True).select_option(label="Agency")
    expect(page.get_by_label("Team", exact=True)).to_have_value(str(people_live.team_b.pk))
    assert problems.items == []


def test_locked_account_gets_a_clear_message(page, live_server, people_live):
    for _ in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill("wrong-password")
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("locked")).to_contain_text("Too many failed log-in attempts")


def test_api_docs_render_without_a_csp_violation(page, live_server, people_live, problems, login):
    login("alice")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=20000)
    assert problems.items == []
