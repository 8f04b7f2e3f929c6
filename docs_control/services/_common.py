"""Helpers shared by the document control services: locking, visibility, dates, text.

Locking order is always document row, then version row(s): two services working on the same
document queue up instead of deadlocking, and the one-effective/one-draft constraints are
checked under that lock.
"""

import calendar
from datetime import date

from accounts.models import User
from core.exceptions import NotFound
from core.workflow import assert_transition
from docs_control import selectors
from docs_control.models import Document, DocumentVersion
from docs_control.rendering import plain_text
from docs_control.workflow import TRANSITIONS, Status


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def normalise(text: str) -> str:
    # Browsers send textarea line breaks as CRLF; store LF so diffs show real changes only.
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def check_transition(current: str, target: str) -> None:
    """The version transition table, through core's one check, with a message a person reads."""
    assert_transition(
        TRANSITIONS,
        current,
        target,
        message=f"A version that is {Status(current).label.lower()} can't become {Status(target).label.lower()}.",
    )


def ensure_visible(by: User, document: Document) -> None:
    if not selectors.document_list_for(by).filter(pk=document.pk).exists():
        raise NotFound("No such document.")


def locked_document(document_id: int, by: User) -> Document:
    document = Document.objects.select_for_update().filter(pk=document_id).first()
    if document is None:
        raise NotFound("No such document.")
    ensure_visible(by, document)
    return document


def locked_version(version_id: int, by: User | None) -> DocumentVersion:
    # A version the user may not see (another team's draft) is not found, whatever its state.
    versions = DocumentVersion.objects if by is None else selectors.version_list_for(by)
    document_id = versions.filter(pk=version_id).values_list("document_id", flat=True).first()
    if document_id is None:
        raise NotFound("No such document version.")
    document = Document.objects.select_for_update().get(pk=document_id)
    version = DocumentVersion.objects.select_for_update().get(pk=version_id)
    version.document = document
    return version


def refresh_search_text(document: Document, body: str) -> None:
    document.search_text = f"{document.number} {document.title} {plain_text(body)}"
    Document.objects.filter(pk=document.pk).update(search_text=document.search_text)  # not history-tracked
