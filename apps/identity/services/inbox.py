"""The contact relay: messages from a ticket's unit to its reporter, without revealing who."""

import logging

from django.db import transaction
from django.utils import timezone

from apps.core import outbox
from apps.identity.models import InboxMessage, Reporter

logger = logging.getLogger(__name__)

PUSH_HANDLER = "apps.core.messaging.push_send"


@transaction.atomic
def inbox_deliver(
    *,
    reporter_id: int,
    kind: str,
    title: str,
    body: str,
    report_public_id: str = "",
    dedup_key: str,
) -> None:
    """Store one inbox message and push its title to the reporter's devices, once.

    An outbox handler (``apps.identity.services.inbox_deliver``): arguments are JSON values.
    Idempotent on ``dedup_key``: a redelivery stores and pushes nothing new. The push is
    queued through the outbox too (``apps.core.messaging.push_send``), so it is retried, not
    lost, when the push backend fails. A reporter who
    is gone or erased gets nothing (there is nobody left to tell); that is not an error,
    so the outbox does not retry it forever.
    """
    reporter = Reporter.objects.filter(pk=reporter_id, erased_at__isnull=True).first()
    if reporter is None:
        logger.info("inbox: reporter %s is gone or erased; message dropped", reporter_id)
        return
    _message, created = InboxMessage.objects.get_or_create(
        dedup_key=dedup_key,
        defaults={
            "reporter": reporter,
            "kind": kind,
            "title": title,
            "body": body,
            "report_public_id": report_public_id,
        },
    )
    if not created:
        return
    # The push is an outbox message of its own, in this transaction: retried until the
    # backend takes it, and marked delivered with it. It carries the inbox message's key as
    # its ``id``, for a gateway to drop the one repeat a worker dying between sending and
    # recording could cause.
    outbox.enqueue(
        handler=PUSH_HANDLER,
        payload={
            "to": reporter.pseudonym,
            "body": title,
            "report": report_public_id,
            "kind": kind,
            "id": dedup_key,
        },
        dedup_key=f"push:{dedup_key}",
    )


@transaction.atomic
def inbox_message_mark_read(*, message: InboxMessage) -> InboxMessage:
    """Mark a message read (the first read time is kept)."""
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return message
