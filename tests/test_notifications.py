import pytest
from django.core import mail

from core.models import Notification
from core.services import notification_email_send, notification_enqueue

pytestmark = pytest.mark.django_db


def test_same_reminder_twice_yields_one_row_and_one_email(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, created = notification_enqueue(
            recipient=people.qa,
            kind="review_due",
            subject=people.team_a,
            due_bucket="2026-11-23",
            title="Due",
        )
    with django_capture_on_commit_callbacks(execute=True):
        second, created_again = notification_enqueue(
            recipient=people.qa,
            kind="review_due",
            subject=people.team_a,
            due_bucket="2026-11-23",
            title="Due",
        )
    assert created and not created_again
    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [people.qa.email]
    assert mail.outbox[0].subject == "[QMS] Due"


def test_a_new_bucket_is_a_new_reminder(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification_enqueue(recipient=people.qa, kind="k", subject=people.team_a, due_bucket="d1", title="t")
        notification_enqueue(recipient=people.qa, kind="k", subject=people.team_a, due_bucket="d2", title="t")
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


def test_sending_again_is_a_no_op(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification, _ = notification_enqueue(recipient=people.qa, kind="k", subject=people.team_a, title="t")
    assert notification_email_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_email_is_not_sent_when_the_transaction_rolls_back(people, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notification_enqueue(recipient=people.qa, kind="k", subject=people.team_a, title="t")
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert callbacks == []
    assert len(mail.outbox) == 0
    assert Notification.objects.count() == 0


def test_inbox_shows_unread_count_and_marks_read(client_for, people):
    notification, _ = notification_enqueue(
        recipient=people.qa, kind="k", subject=people.team_a, title="Please acknowledge SOP-1"
    )
    client = client_for(people.qa)
    page = client.get("/inbox/").content.decode()
    assert "Please acknowledge SOP-1" in page
    assert 'data-testid="unread-count">1<' in page
    client.post(f"/inbox/{notification.pk}/read/")
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert 'data-testid="unread-count"' not in client.get("/inbox/").content.decode()


def test_mark_all_read(client_for, people):
    for i in range(3):
        notification_enqueue(recipient=people.qa, kind="k", subject=people.team_a, due_bucket=str(i), title="t")
    client_for(people.qa).post("/inbox/read-all/")
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_inbox_query_count_does_not_grow_with_rows(client_for, people, django_assert_max_num_queries):
    client = client_for(people.qa)
    for i in range(30):
        notification_enqueue(recipient=people.qa, kind="k", subject=people.team_a, due_bucket=str(i), title=f"n{i}")
    with django_assert_max_num_queries(12):
        assert client.get("/inbox/?show=all").status_code == 200
