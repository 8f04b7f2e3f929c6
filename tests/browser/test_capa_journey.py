"""CAPA owner journey in a real browser: NC → CAPA → 5 whys → action with evidence → check → signed closure."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _logout(page):
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page.get_by_role("heading", name="You are logged out")).to_be_visible()


def test_alice_takes_a_nonconformity_to_a_signed_closure(page, live_server, people_live, problems, login):
    login("alice")
    page.goto(f"{live_server.url}/capa/")
    page.get_by_test_id("raise-nc").click()
    form = page.get_by_role("main")
    form.get_by_label("Source").select_option(label="Complaint")
    form.get_by_label("Category").select_option(label="Disclosure")
    form.get_by_label("Severity").select_option(label="Major")
    form.get_by_label("Title").fill("Sponsored reel without #ad")
    form.get_by_label("Description").fill("A follower reported the reel of 3 May has no paid-partnership label.")
    page.get_by_role("button", name="Raise").click()
    expect(page.get_by_test_id("nc-reference")).to_contain_text("NC-")

    open_capa = page.get_by_role("form", name="Open a corrective action")
    open_capa.get_by_label("Owner").select_option(label="Alice Tester")
    open_capa.get_by_role("button", name="Open CAPA").click()
    expect(page.get_by_test_id("capa-reference")).to_contain_text("CAPA-")
    capa_url = page.url

    page.get_by_role("button", name="Start investigation").click()
    expect(page.get_by_test_id("status")).to_have_text("Investigating")
    rc = page.get_by_role("form", name="Root cause")
    rc.get_by_label("Why 1?").fill("The reel went out without the paid-partnership label")
    rc.get_by_label("Why 2?").fill("The author did not know the reel was sponsored")
    rc.get_by_label("Why 3?").fill("The brief did not say so")
    rc.get_by_label("Why 4?").fill("The brief template has no sponsorship field")
    rc.get_by_label("Chosen root cause").fill("Brief template has no sponsorship field")
    rc.get_by_label("Root cause category").select_option(label="Process")
    rc.get_by_role("button", name="Save root cause").click()
    expect(page.get_by_test_id("root-cause")).to_have_text("Brief template has no sponsorship field")
    expect(page.get_by_test_id("whys").get_by_role("listitem")).to_have_count(4)

    page.get_by_role("button", name="Go to action plan").click()
    add = page.get_by_role("form", name="Add an action")
    add.get_by_label("Description").fill("Add a sponsorship field to the brief template")
    add.get_by_label("Type").select_option(label="Corrective")
    add.get_by_label("Owner").select_option(label="Dan Tester")
    add.get_by_label("Due date").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    add.get_by_role("button", name="Add action").click()
    expect(page.get_by_test_id("action-item")).to_contain_text("Dan Tester")
    page.get_by_role("button", name="Start implementing").click()
    expect(page.get_by_test_id("status")).to_have_text("Implementing")
    _logout(page)

    login("dan")
    page.goto(capa_url)
    done = page.get_by_role("form", name="Mark done")
    done.get_by_label("Note").fill("Template v4 published")
    done.get_by_label("Evidence file").set_input_files(
        {"name": "template-v4.txt", "mimeType": "text/plain", "buffer": b"Brief template v4: sponsored? yes/no\n"}
    )
    done.get_by_role("button", name="Mark done").click()
    expect(page.get_by_test_id("item-done")).to_contain_text("Dan Tester")
    expect(page.get_by_test_id("evidence")).to_have_text("template-v4.txt")
    _logout(page)

    login("alice")
    page.goto(capa_url)
    verification = page.get_by_role("form", name="Start verification")
    verification.get_by_label("Effectiveness criteria").fill("No sponsored post without disclosure for 30 days")
    verification.get_by_role("button", name="Start verification").click()
    expect(page.get_by_test_id("status")).to_have_text("Verifying")
    check = page.get_by_role("form", name="Record the check")
    check.get_by_label("Result").select_option(label="Effective")
    check.get_by_label("Evidence", exact=True).fill("0 of 52 sponsored posts lacked disclosure")
    check.get_by_role("button", name="Record the check").click()
    expect(page.get_by_test_id("check-result")).to_contain_text("Effective")

    close = page.get_by_role("form", name="Close and sign")
    close.get_by_label("Your password (electronic signature)").fill("wrong-password")
    close.get_by_role("button", name="Close and sign").click()
    expect(page.get_by_test_id("error-password")).to_contain_text("not correct")
    close = page.get_by_role("form", name="Close and sign")
    close.get_by_label("Your password (electronic signature)").fill(PASSWORD)
    close.get_by_role("button", name="Close and sign").click()
    expect(page.get_by_test_id("status")).to_have_text("Closed")
    expect(page.get_by_test_id("signatures")).to_contain_text("Alice Tester")
    expect(page.get_by_test_id("signatures")).to_contain_text("Closed")

    page.get_by_role("link", name="CAPA board").click()
    expect(page.get_by_test_id("board-column-closed").get_by_test_id("capa-card")).to_contain_text("CAPA-")
    expect(page.get_by_test_id("board-column-open").get_by_test_id("capa-card")).to_have_count(0)
    # The only console line is the browser reporting the 400 answer to the wrong password.
    assert [p for p in problems.items if "status of 400" not in p] == []
    assert len(problems.items) == 1
