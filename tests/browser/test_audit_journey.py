"""Auditor journey in a real browser: erin starts her planned audit, copies the previous checklist,
answers with the keyboard, records a minor NC finding with an attachment and closes the audit with
her signature."""

import pytest
from playwright.sync_api import expect

from audits.models import Answer, Finding
from audits.workflow import Status
from tests.audits.conftest import audit_at, plan_audit
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def audits_live(people_live):
    from audits import services

    programme = services.programme_create(
        team=people_live.team_a, year=2026, objectives="Audit every process once", by=people_live.qa
    )
    previous = audit_at(people_live, programme, Status.CLOSED, questions=2, title="Last spring", days=-60)
    planned = plan_audit(people_live, programme, title="Publishing process, autumn", days=7)
    return previous, planned


def test_erin_runs_and_closes_her_audit(page, live_server, people_live, audits_live, problems, login, tmp_path):
    _previous, planned = audits_live
    login("erin")
    page.get_by_test_id("audits-panel").get_by_role("link", name=planned.reference).click()
    expect(page.get_by_test_id("audit-reference")).to_have_text(planned.reference)
    page.get_by_test_id("start").click()
    expect(page.get_by_test_id("status")).to_have_text("In progress")

    page.get_by_test_id("open-checklist").click()
    expect(page.get_by_test_id("no-questions")).to_be_visible()
    page.get_by_test_id("copy-previous").click()
    expect(page.get_by_test_id("question")).to_have_count(2)

    # Keyboard only: the first question is active; c answers conforming and moves on, n nonconforming.
    page.keyboard.press("c")
    page.keyboard.press("n")
    expect(page.locator(f"#q{planned.questions.order_by('order')[1].pk}-nonconforming")).to_be_checked()
    page.keyboard.press("s")
    expect(page.get_by_text("2 answers saved.")).to_be_visible()
    assert sorted(Answer.objects.filter(audit=planned).values_list("value", flat=True)) == [
        "conforming",
        "nonconforming",
    ]

    page.get_by_role("link", name=planned.reference).first.click()
    page.get_by_test_id("new-finding").click()
    form = page.get_by_role("form", name="Record a finding")
    form.get_by_label("Classification").select_option(label="Minor nonconformity")
    form.get_by_label("Clause").fill("8.6")
    form.get_by_label("Statement").fill("Two sponsored posts were published without approval.")
    evidence = tmp_path / "approval-log.txt"
    evidence.write_text("post 12: no approver\npost 19: no approver\n")
    form.get_by_label("Attachment (optional)").set_input_files(str(evidence))
    page.get_by_test_id("save-finding").click()
    expect(page.get_by_test_id("finding-nc")).to_contain_text("NC-")
    expect(page.get_by_test_id("evidence-file")).to_have_text("approval-log.txt")
    finding = Finding.objects.get(audit=planned)
    assert finding.nonconformity is not None

    page.get_by_role("link", name=planned.reference).first.click()
    page.get_by_test_id("to-reporting").click()
    expect(page.get_by_test_id("status")).to_have_text("Reporting")
    page.get_by_test_id("open-report").click()
    report = page.get_by_role("form", name="Report text")
    report.get_by_label("Conclusion").fill("Effective, with one minor nonconformity.")
    page.get_by_test_id("save-report").click()
    expect(page.get_by_test_id("report-conclusion")).to_have_text("Effective, with one minor nonconformity.")
    page.get_by_test_id("close").click()
    modal = page.locator("#close-modal")
    expect(modal.get_by_test_id("close-modal-meaning")).to_be_visible()
    modal.get_by_label("Your password (electronic signature)").fill(PASSWORD)
    modal.get_by_test_id("close-modal-submit").click()
    expect(page.get_by_test_id("status")).to_have_text("Closed")
    expect(page.get_by_test_id("signatures")).to_contain_text("Approved")
    planned.refresh_from_db()
    assert planned.status == Status.CLOSED
    assert problems.items == []
