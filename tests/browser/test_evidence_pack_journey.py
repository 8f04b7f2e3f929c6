"""Erin exports her audit's evidence pack and downloads it; the pack's index.html, opened from the
extracted folder, shows the finding and links to the attachment."""

import zipfile

import pytest
from playwright.sync_api import expect

from tests.audits.pack_fixtures import make_pack_audit

pytestmark = pytest.mark.browser


def test_erin_exports_and_downloads_the_pack_and_reads_it_offline(
    page, live_server, people_live, problems, login, tmp_path
):
    pack = make_pack_audit(people_live)
    login("erin")
    page.goto(f"{live_server.url}/audits/{pack.audit.pk}/")
    card = page.get_by_test_id("evidence-packs")
    expect(card).to_contain_text("No pack exported yet.")
    card.get_by_test_id("pack-export").click()
    row = page.get_by_test_id("pack-job").first
    expect(row.get_by_test_id("pack-status")).to_have_text("Done")
    job = pack.audit.evidence_packs.get()
    expect(row.get_by_test_id("pack-manifest")).to_have_text(job.manifest_sha256)
    with page.expect_download() as info:
        row.get_by_test_id("pack-download").click()
    zip_path = tmp_path / "pack.zip"
    info.value.save_as(zip_path)
    assert problems.items == []

    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(tmp_path / "pack")
    page.goto((tmp_path / "pack" / "index.html").as_uri())
    expect(page.locator("h1")).to_contain_text(pack.audit.reference)
    finding = page.locator("#finding-1")
    expect(finding).to_contain_text("Minor nonconformity")
    page.get_by_role("link", name="evidence/dup (2).txt").first.click()
    expect(page.locator("body")).to_contain_text("evidence 4")
