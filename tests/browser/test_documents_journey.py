"""Dan drafts a revision and submits it to Ben; Ben approves from his inbox with his password;
the version is effective; Dan goes from his dashboard straight to it and acknowledges it (after a
wrong password, which reopens the dialog); his inbox task is done; the training matrix shows it."""

import re

import pytest
from playwright.sync_api import expect

from tests.docs_control.conftest import make_effective_document
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_revision_approval_and_acknowledgement_journey(page, live_server, people_live, problems, login):
    make_effective_document(people_live)

    # Dan drafts a revision.
    login("dan")
    page.get_by_role("link", name="Documents").click()
    page.get_by_role("link", name="SOP-T-001").click()
    page.get_by_role("button", name="Start a revision").click()
    page.get_by_label("What changes and why").fill("Add the UTM rule")
    page.get_by_role("button", name="Start drafting").click()
    expect(page.get_by_role("heading", name=re.compile("Edit draft SOP-T-001 v1.1"))).to_be_visible()
    body = page.get_by_label("Text (Markdown)")
    body.fill(body.input_value() + "3. Every link carries **UTM** parameters.\n")
    expect(page.get_by_test_id("preview").locator("strong")).to_have_text("UTM")  # live preview via htmx
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()

    page.get_by_role("button", name="Submit for approval").click()
    page.get_by_label("Ben Tester").check()
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_test_id("version-status")).to_have_text("In review")
    page.context.clear_cookies()

    # Ben approves from his inbox, after reading the diff.
    login("ben")
    page.get_by_test_id("nav-inbox").click()
    page.get_by_test_id("inbox-item").filter(has_text="Approve SOP-T-001 v1.1").get_by_role(
        "button", name="Open"
    ).click()
    expect(page.get_by_test_id("diff").locator("ins")).to_have_text(re.compile("Every link carries .*UTM"))
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_test_id("approve-modal-meaning")).to_contain_text("I approve this revision.")
    page.locator("#approve-modal-password").fill(PASSWORD)
    page.get_by_role("button", name="Sign and approve").click()
    expect(page.get_by_test_id("version-status")).to_have_text("Effective")
    expect(page.get_by_test_id("signatures")).to_contain_text("Ben Tester")
    page.context.clear_cookies()

    # Dan acknowledges; the training matrix shows it.
    login("dan")
    # From the dashboard straight to the version to acknowledge; a wrong password reopens the dialog.
    page.goto(f"{live_server.url}/")
    page.get_by_test_id("panel-acks").click()
    expect(page.get_by_role("heading", name=re.compile("SOP-T-001 v1.1"))).to_be_visible()
    page.get_by_role("button", name="Acknowledge").click()
    page.locator("#ack-modal-password").fill("not my password")
    page.get_by_role("button", name="Sign and acknowledge").click()
    expect(page.locator("#ack-modal")).to_be_visible()
    expect(page.locator("#ack-modal")).to_contain_text("password is not correct")
    page.locator("#ack-modal-password").fill(PASSWORD)
    page.get_by_role("button", name="Sign and acknowledge").click()
    expect(page.get_by_test_id("my-ack")).to_contain_text("You acknowledged this version")
    # The inbox task is done: no unread "Read and acknowledge" left for either version.
    page.get_by_test_id("nav-inbox").click()
    expect(page.get_by_test_id("inbox-item").filter(has_text="Read and acknowledge")).to_have_count(0)
    page.goto(f"{live_server.url}/documents/training/")
    row = page.get_by_test_id("training-matrix").get_by_role("row").filter(has_text="Dan Tester")
    expect(row).to_contain_text("v1.1 ✓")
    # The only console line is the browser reporting the 400 answer to the wrong password.
    assert [p for p in problems.items if "status of 400" not in p] == []
    assert len(problems.items) == 1
