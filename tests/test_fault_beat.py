"""Two beat processes by mistake: every scheduled job runs twice at the same moment. The unique
outbox keys (reminders) and the advisory lock plus upserts (rollups) keep each effect once."""

import threading
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.models import Notification
from core.services import reminders_send_due
from metrics.models import DefectDaily, ReviewDaily
from metrics.services import rollup_metrics
from tests.metrics.conftest import BASE, add_defect, add_review, posts  # noqa: F401
from tests.post_reviews.conftest import accounts, checklist  # noqa: F401
from tests.test_reminders import _item

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]


def _twice_at_once(job):
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            job()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []


def _rollups():
    def rows(model):
        return sorted(
            tuple(sorted((k, v) for k, v in row.items() if k not in ("id", "run_token", "updated_at")))
            for row in model.objects.values()
        )

    return rows(ReviewDaily), rows(DefectDaily)


def test_two_beats_at_once_send_each_reminder_once(people):
    item = _item(people)
    now = timezone.make_aware(datetime.combine(item.due_date + timedelta(days=8), time(9, 0)))
    _twice_at_once(lambda: reminders_send_due(now=now))
    keys = list(Notification.objects.values_list("recipient_id", "kind", "subject_type_id", "subject_id", "due_bucket"))
    assert keys and len(keys) == len(set(keys))
    assert reminders_send_due(now=now) == 0  # a third run: nothing left to send


def test_two_beats_at_once_roll_up_each_review_once(people, posts, checklist):  # noqa: F811
    for i, post in enumerate(posts):
        review = add_review(post, checklist, people.reviewer, outcome="fail" if i else "pass", at=BASE)
        add_defect(review)
    _twice_at_once(rollup_metrics)
    rollup_metrics()  # a run that finds the other one's lock released picks up anything left
    twice = _rollups()
    assert twice[0] and twice[1]
    ReviewDaily.objects.all().delete()
    DefectDaily.objects.all().delete()
    rollup_metrics(full=True)
    assert _rollups() == twice
