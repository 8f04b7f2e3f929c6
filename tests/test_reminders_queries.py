"""The reminder job's queries do not grow with the number of open items: a run over 30 items
costs what a run over 3 costs, stored rows and the queued immediate emails included."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Delivery
from capa.models import ActionItem
from core.models import Notification
from core.services import reminders_send_due
from tests.test_reminders import _at, _item


def _add_items(item, count):
    ActionItem.objects.bulk_create(
        ActionItem(
            corrective_action=item.corrective_action,
            description=f"{item.description} {n}",
            action_type=item.action_type,
            owner=item.owner,
            due_date=item.due_date + timedelta(days=n % 10 - 5),  # overdue, due, 1d and 7d windows
            created_by=item.created_by,
        )
        for n in range(count)
    )


def _run(now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, CaptureQueriesContext(connection) as queries:
        created = reminders_send_due(now=now)
    return created, len(queries), len(callbacks)


def test_a_runs_queries_do_not_grow_with_open_items(people, django_capture_on_commit_callbacks):
    people.author.reminder_delivery = Delivery.IMMEDIATE
    people.author.save()
    item = _item(people)
    now = _at(item.due_date + timedelta(days=8))
    _run(now, django_capture_on_commit_callbacks)  # warm-up: content types are cached from here on
    _add_items(item, 2)
    small, small_queries, small_emails = _run(now, django_capture_on_commit_callbacks)
    _add_items(item, 27)
    large, large_queries, large_emails = _run(now, django_capture_on_commit_callbacks)
    assert 0 < small < large
    assert small_queries == large_queries
    assert small_emails == large_emails == 1  # one batch of the owner's new reminders each time
    # The second run stored only the new items' reminders, and a rerun stores none.
    assert Notification.objects.filter(kind="capa_action_item").count() == 4 + small + large
    assert _run(now, django_capture_on_commit_callbacks)[0] == 0
