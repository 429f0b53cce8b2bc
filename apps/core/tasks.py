from celery import shared_task

from apps.core import outbox


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def outbox_deliver(*, message_id: int) -> None:
    outbox.deliver(message_id=message_id)


@shared_task(ignore_result=True)
def outbox_relay() -> int:
    return outbox.relay()


@shared_task(ignore_result=True)
def outbox_purge() -> int:
    return outbox.purge_delivered()
