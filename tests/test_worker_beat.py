"""A real Celery beat and a real worker (processes, on the broker chosen with --broker) run the
scheduled jobs against the test database: the rollups fill in, a due reminder is stored and
emailed exactly once however many times beat fires, and the runs end visible (rollup run rows,
the worker heartbeat, /readyz)."""

import email
import email.policy
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Delivery, User
from core.models import Notification, WorkerHeartbeat
from metrics.models import DefectDaily, ReviewDaily, RollupDirty, RollupRun
from metrics.services import rollup_metrics
from tests.metrics.conftest import add_defect, add_review, posts  # noqa: F401
from tests.post_reviews.conftest import accounts, checklist  # noqa: F401
from tests.servers import wait_for
from tests.test_fault_beat import _rollups
from tests.test_reminders import _item

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

JOBS = "heartbeat,metrics-rollup,reminders"


def _sent_mail(folder: Path) -> list[email.message.Message]:
    """Every message the worker's file email backend wrote (one file per connection)."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        for raw in path.read_text().split("-" * 79):
            if raw.strip():
                messages.append(email.message_from_string(raw.strip(), policy=email.policy.default))
    return messages


def test_beat_and_a_worker_roll_up_and_remind_once(celery_processes, people, posts, checklist, tmp_path, client):  # noqa: F811
    now = timezone.now()
    for i, post in enumerate(posts):
        outcome = "fail" if i else "pass"
        review = add_review(post, checklist, people.reviewer, outcome=outcome, at=now - timedelta(hours=i))
        add_defect(review)
    assert RollupDirty.objects.exists() and not ReviewDaily.objects.exists()
    item = _item(people)  # due in 7 days: dan's 7-day reminder is due now
    assert item.owner == people.author
    User.objects.filter(pk=people.author.pk).update(reminder_delivery=Delivery.IMMEDIATE)
    before = set(Notification.objects.values_list("pk", flat=True))  # the workflow's own, sent already
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()

    env = {"QMS_TEST_BEAT_SECONDS": "1", "QMS_TEST_BEAT_JOBS": JOBS, "QMS_TEST_EMAIL_DIR": str(mail_dir)}
    celery_processes.worker(env=env)
    celery_processes.beat(schedule_file=tmp_path / "celerybeat-schedule", env=env)

    # Several ticks: the one worker takes the queue in order, so by the fourth finished rollup
    # run the reminders job of the first ticks has run too, more than once.
    done = wait_for(lambda: RollupRun.objects.filter(finished_at__isnull=False).count() >= 4, timeout=180)
    assert done, celery_processes.logs()
    reminded = Notification.objects.exclude(pk__in=before)
    assert wait_for(lambda: reminded.filter(emailed_at__isnull=False).exists(), timeout=60), celery_processes.logs()
    assert wait_for(lambda: WorkerHeartbeat.objects.filter(name="worker").exists(), timeout=60)
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json()
    celery_processes.stop()

    # Each due reminder: one outbox row, and for dan (who asked for it) one email, though beat
    # sent the job again and again; the others wait for their digest. Every notification the
    # worker emailed (the workflow's own too) was emailed once.
    keys = list(reminded.values_list("recipient__username", "kind", "due_bucket"))
    assert ("dan", "capa_action_item", "7d") in keys and len(keys) == len(set(keys))
    assert all(n.emailed_at for n in reminded.filter(recipient=people.author))
    assert not reminded.exclude(recipient=people.author).filter(emailed_at__isnull=False).exists()
    emailed = Notification.objects.filter(emailed_at__isnull=False).select_related("recipient")
    mails = sorted((str(m["To"]), str(m["Subject"])) for m in _sent_mail(mail_dir))
    assert mails == sorted((n.recipient.email, f"[QMS] {n.title}") for n in emailed)

    # The rollups: every review is in, exactly as a full rebuild counts them.
    runs = RollupRun.objects.order_by("pk")
    assert all(run.finished_at for run in runs) and not any(run.skipped for run in runs)
    assert runs[0].keys >= 1 and not RollupDirty.objects.exists()
    assert sum(ReviewDaily.objects.values_list("reviews", flat=True)) == len(posts)
    assert sum(DefectDaily.objects.values_list("defects", flat=True)) == len(posts)
    by_beat = _rollups()
    ReviewDaily.objects.all().delete()
    DefectDaily.objects.all().delete()
    rollup_metrics(full=True)
    assert _rollups() == by_beat
