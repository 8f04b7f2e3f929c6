"""The audit trail of approver rows and the inbox tasks the document services finish."""

import pytest

from core.models import Notification
from core.selectors import notification_unread_count
from docs_control import services
from docs_control.models import Approval
from tests.docs_control.conftest import draft_of, make_document, submit
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _open(kind, version, recipient=None):
    qs = Notification.objects.filter(kind=kind, subject_id=version.pk, done_at__isnull=True)
    return qs.filter(recipient=recipient) if recipient else qs


def test_every_approval_has_a_history_row_with_the_user(people):
    document = make_document(people, required_approvals=2)
    version = draft_of(document)
    submit(people, version, approvers=[people.lead, people.lead2])
    approvals = list(Approval.objects.filter(version=version))
    assert len(approvals) == 2
    for approval in approvals:
        created = approval.history.get(history_type="+")
        assert created.history_user == people.author
        assert created.history_change_reason == "approver for round 1"
    services.version_approve(version_id=version.pk, by=people.lead, password=PASSWORD)
    decided = Approval.objects.get(version=version, approver=people.lead)
    assert decided.history.latest().history_user == people.lead
    assert decided.history.count() == 2


def test_acknowledging_marks_that_persons_task_done(people, effective):
    _document, version = effective
    assert _open("document_acknowledge", version, people.reviewer).exists()
    before = notification_unread_count(people.reviewer)
    services.version_acknowledge(version_id=version.pk, by=people.reviewer, password=PASSWORD)
    assert not _open("document_acknowledge", version, people.reviewer).exists()
    assert notification_unread_count(people.reviewer) == before - 1
    # Everyone else still has to read it.
    assert _open("document_acknowledge", version, people.viewer).exists()


def test_a_newer_version_marks_everyones_task_for_the_old_one_done(people, effective):
    document, old = effective
    assert _open("document_acknowledge", old).count() >= 5
    new = services.version_create_draft(document_id=document.pk, by=people.author, change_summary="v1.1")
    services.version_update_draft(
        version_id=new.pk, by=people.author, body=new.body + "\nMore.", change_summary="v1.1", lock_version=1
    )
    submit(people, new)
    services.version_approve(version_id=new.pk, by=people.lead, password=PASSWORD)
    assert not _open("document_acknowledge", old).exists()
    assert _open("document_acknowledge", new, people.reviewer).exists()
    assert notification_unread_count(people.viewer) == _open("document_acknowledge", new, people.viewer).count() == 1


def test_withdrawing_the_version_in_force_marks_its_tasks_done(people, effective):
    _document, version = effective
    services.version_obsolete(version_id=version.pk, by=people.lead, reason="No longer used")
    assert not _open("document_acknowledge", version).exists()


def test_approval_requests_are_done_once_the_round_is_decided(people):
    document = make_document(people, required_approvals=1)
    version = draft_of(document)
    submit(people, version, approvers=[people.lead, people.lead2])
    assert _open("document_approval_requested", version).count() == 2
    services.version_reject(version_id=version.pk, by=people.lead2, password=PASSWORD, comment="Fix step 2")
    assert not _open("document_approval_requested", version).exists()


def test_the_data_migration_catches_up_finished_tasks(people, effective):
    from importlib import import_module

    from django.apps import apps

    _document, version = effective
    services.version_acknowledge(version_id=version.pk, by=people.reviewer, password=PASSWORD)
    Notification.objects.update(done_at=None)  # as rows written before the services resolved them
    import_module("docs_control.migrations.0003_mark_finished_inbox_tasks_done").mark_done(apps, None)
    assert not _open("document_acknowledge", version, people.reviewer).exists()
    assert _open("document_acknowledge", version, people.viewer).exists()
