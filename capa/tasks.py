"""CAPA tasks: ids in, one service call."""

from celery import shared_task


@shared_task(acks_late=True)
def action_item_notify_owner(item_id: int) -> None:
    from capa.services import action_item_notify_owner as notify

    notify(item_id=item_id)
