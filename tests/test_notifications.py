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


def test_resolving_marks_only_the_matching_open_notifications_done(people):
    from core.selectors import notification_list_for, notification_unread_count
    from core.services import notifications_resolve

    for recipient in (people.qa, people.lead):
        notification_enqueue(recipient=recipient, kind="task", subject=people.team_a, title="Do it")
    notification_enqueue(recipient=people.qa, kind="other", subject=people.team_a, title="Other")
    notification_enqueue(recipient=people.qa, kind="task", subject=people.team_b, title="Elsewhere")
    assert notification_unread_count(people.qa) == 3

    assert notifications_resolve(subject=people.team_a, kind="task", recipient=people.qa) == 1
    assert notification_unread_count(people.qa) == 2
    assert notification_unread_count(people.lead) == 1
    done = Notification.objects.get(recipient=people.qa, kind="task", subject_id=people.team_a.pk)
    assert done.done_at is not None and done.read_at is None
    # Gone from the unread inbox, still in the full list.
    assert done not in notification_list_for(people.qa, unread_only=True)
    assert done in notification_list_for(people.qa)

    first_done_at = done.done_at
    assert notifications_resolve(subject=people.team_a, kind="task", recipient=people.qa) == 0  # idempotent
    done.refresh_from_db()
    assert done.done_at == first_done_at

    assert notifications_resolve(subject=people.team_a) == 2  # every kind, every recipient
    assert notification_unread_count(people.lead) == 0


def test_a_done_notification_is_not_emailed(people):
    from core.services import notifications_resolve

    notification, _ = notification_enqueue(recipient=people.qa, kind="task", subject=people.team_a, title="Do it")
    notifications_resolve(subject=people.team_a)
    assert notification_email_send(notification_id=notification.pk) is False
    assert mail.outbox == []


def test_the_inbox_marks_a_done_task_and_does_not_count_it(people, client):
    from core.services import notifications_resolve

    notification_enqueue(recipient=people.qa, kind="task", subject=people.team_a, title="Read SOP-1")
    notifications_resolve(subject=people.team_a)
    client.force_login(people.qa)
    assert "Read SOP-1" not in client.get("/inbox/").content.decode()
    page = client.get("/inbox/?show=all").content.decode()
    assert "Read SOP-1" in page and 'data-testid="inbox-done"' in page
