"""History panels show what a person reads: labels, readable lists, local times with the zone."""

from datetime import UTC, datetime

from core.selectors import _show, history_entries
from docs_control.models import DocumentVersion
from tests.docs_control.conftest import draft_of, make_document, submit


def test_a_status_change_shows_its_labels_not_its_codes(people):
    version = submit(people, draft_of(make_document(people)))
    entries = history_entries(version)
    status_changes = [c for e in entries for c in e["changes"] if c["field"] == "status"]
    assert {"old": "Draft", "new": "In review"}.items() <= status_changes[0].items()
    assert "in_review" not in str(entries)


def test_values_are_shown_as_people_read_them():
    field = DocumentVersion._meta.get_field("status")
    assert _show(field, "in_review") == "In review"
    assert _show(None, ["The post went out", "Nobody checked"]) == "The post went out; Nobody checked"
    assert _show(None, True) == "Yes"
    assert _show(None, []) == "—"
    shown = _show(None, datetime(2026, 12, 1, 9, 30, 12, 123456, tzinfo=UTC))
    assert shown.startswith("2026-12-01 ") and ".123456" not in shown and shown[-3:].isalpha()
