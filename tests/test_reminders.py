"""Reminders: each kind to the right people in its bucket, escalation steps once each, a missed
day still sends, two runs (also at once) send each once, digests, and done items stop."""

import threading
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.models import Delivery
from capa.models import ActionItem
from capa.services import action_item_complete
from core.models import Notification
from core.selectors import notification_unread_count
from core.services import notifications_send_digests, reminders_send_due
from tests.capa.conftest import capa_at, evidence_file
from tests.docs_control.conftest import make_effective_document


def _at(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def _item(people):
    capa = capa_at(people, "implementing")
    return ActionItem.objects.get(corrective_action=capa)


def _sent(kind="capa_action_item"):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", "due_bucket"))


def test_an_action_item_is_reminded_in_each_window_then_escalated_once_each(people):
    item = _item(people)
    due = item.due_date
    for days_before in (8, 7, 6, 1, 0):
        reminders_send_due(now=_at(due - timedelta(days=days_before)))
    assert _sent() == [("dan", "1d"), ("dan", "7d"), ("dan", "due")]
    for late in (1, 2, 3, 6, 7, 8):
        reminders_send_due(now=_at(due + timedelta(days=late)))
    assert _sent() == [
        ("alice", "escalated-qa"),
        ("ben", "escalated-lead"),
        ("cara", "escalated-lead"),
        ("dan", "1d"),
        ("dan", "7d"),
        ("dan", "due"),
        ("dan", "overdue"),
    ]


def test_a_missed_day_still_sends_and_a_rerun_sends_nothing_more(people):
    item = _item(people)
    # Nothing ran for twelve days: the first run after catches up with what is due now.
    assert reminders_send_due(now=_at(item.due_date + timedelta(days=4))) == 3
    assert _sent() == [("ben", "escalated-lead"), ("cara", "escalated-lead"), ("dan", "overdue")]
    assert reminders_send_due(now=_at(item.due_date + timedelta(days=4))) == 0


def test_escalation_days_are_per_team(people):
    people.team_a.escalate_lead_days = 1
    people.team_a.save()
    item = _item(people)
    reminders_send_due(now=_at(item.due_date + timedelta(days=1)))
    assert ("ben", "escalated-lead") in _sent()


def test_a_done_item_leaves_the_inbox_and_is_not_reminded_again(people):
    item = _item(people)
    reminders_send_due(now=_at(item.due_date - timedelta(days=1)))
    assert notification_unread_count(people.author) == 1
    action_item_complete(item_id=item.pk, by=people.author, note="done", evidence=[evidence_file()])
    assert notification_unread_count(people.author) == 0
    assert reminders_send_due(now=_at(item.due_date + timedelta(days=9))) == 0


def test_periodic_review_and_pending_acknowledgement_reminders(people):
    document, version = make_effective_document(people)
    document.next_review_due = timezone.localdate() + timedelta(days=20)
    document.save(update_fields=["next_review_due"])
    reminders_send_due(now=timezone.now())
    assert _sent("sop_periodic_review") == [(document.owner.username, "30d")]
    version.acknowledgements.update(requested_at=timezone.now() - timedelta(days=8))
    reminders_send_due(now=timezone.now())
    pending = {u for u, _ in _sent("sop_acknowledgement_pending")}
    assert pending and pending <= {"dan", "ben", "cara", "alice", "rita", "erin", "vic", "admin"}
    assert {u for u, _ in _sent("sop_acknowledgements_overdue")} == {"ben", "cara"}


def test_digest_groups_a_persons_items_into_one_email_once_a_day_overdue_first(people):
    item = _item(people)
    reminders_send_due(now=_at(item.due_date + timedelta(days=1)))  # dan: overdue
    mail.outbox.clear()
    early = timezone.make_aware(datetime.combine(item.due_date + timedelta(days=1), time(7, 0)))
    assert notifications_send_digests(now=early) == 0
    later = early + timedelta(hours=2)
    assert notifications_send_digests(now=later) == 1
    assert notifications_send_digests(now=later + timedelta(hours=1)) == 0
    (email,) = [m for m in mail.outbox if people.author.email in m.to]
    assert "OVERDUE" in email.body and item.description[:20] in email.body


def test_immediate_delivery_emails_each_new_reminder(people, django_capture_on_commit_callbacks):
    people.author.reminder_delivery = Delivery.IMMEDIATE
    people.author.save()
    item = _item(people)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send_due(now=_at(item.due_date - timedelta(days=1)))
    assert [m.subject for m in mail.outbox if people.author.email in m.to] == [
        f"[QMS] Action due: {item.corrective_action.reference}: {item.description}"
    ]


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(people):
    item = _item(people)
    now = _at(item.due_date + timedelta(days=8))
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            reminders_send_due(now=now)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(_sent()) == len(set(_sent())) == 4
