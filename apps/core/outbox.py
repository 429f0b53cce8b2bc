"""Transactional outbox (docs/architecture.md, reliability).

``enqueue`` writes an ``OutboxMessage`` inside the caller's transaction and asks Celery to
deliver it right after commit. If Redis is down the row simply waits for the periodic relay,
so a committed change never loses its side effect, and a rolled-back one never has any.
"""

import json
import logging
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from apps.core.db import prepared_fetch
from apps.core.models import OutboxMessage

logger = logging.getLogger(__name__)


_INSERT_ONCE_SQL = f"""
    INSERT INTO {OutboxMessage._meta.db_table}
        (handler, payload, dedup_key, created_at, available_at, attempts, last_error)
    VALUES (%s, %s::jsonb, %s, %s, %s, 0, '')
    ON CONFLICT ON CONSTRAINT outbox_dedup_key_unique DO NOTHING
    RETURNING id
"""  # noqa: S608 - the table name is the model's; every value is a parameter


def enqueue(*, handler: str, payload: dict[str, Any], dedup_key: str | None = None) -> int | None:
    """Record a side effect. Returns the message id (None when ``dedup_key`` was seen before).

    Must be called inside the transaction that makes the change. ``payload`` holds ids and
    codes only: it is stored and logged, so never put personal data in it.
    """
    if not handler.startswith("apps."):
        raise ValueError("outbox handlers live under apps.")
    now = timezone.now()
    if dedup_key is None:
        message_id: int = OutboxMessage.objects.create(
            handler=handler, payload=payload, available_at=now
        ).pk
    else:
        # One prepared round trip, no savepoint: a key seen before inserts nothing.
        rows = prepared_fetch(
            _INSERT_ONCE_SQL,
            [handler, json.dumps(payload, cls=DjangoJSONEncoder), dedup_key, now, now],
        )
        if not rows:
            return None
        message_id = rows[0][0]
    transaction.on_commit(lambda: _dispatch(message_id))
    return message_id


# After a failed publish, the next ones within this many seconds are left to the relay
# instead of each waiting for the broker's connection timeout again (a transaction may queue
# several messages: a report's notification and its CCTV linking).
BROKER_RETRY_AFTER_S = 30.0
_broker_down_until = 0.0


def _dispatch(message_id: int) -> None:
    from apps.core import tasks  # imported here: tasks imports this module

    global _broker_down_until  # one process-wide breaker
    if time.monotonic() < _broker_down_until:
        logger.info("outbox: broker down moments ago; message %s waits for the relay", message_id)
        return
    try:
        tasks.outbox_deliver.delay(message_id=message_id)
    except Exception:  # noqa: BLE001 - broker down: the periodic relay delivers it later
        _broker_down_until = time.monotonic() + BROKER_RETRY_AFTER_S
        logger.warning("outbox: could not publish message %s; the relay will retry", message_id)


def deliver(*, message_id: int) -> bool:
    """Run one message's handler exactly once in effect. Returns True if it ran now.

    The row is locked for the duration (``SKIP LOCKED``: a concurrent delivery of the same
    message does nothing), and marked delivered in the same transaction as the handler's own
    database writes.
    """
    try:
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(pk=message_id, delivered_at__isnull=True)
                .first()
            )
            if message is None:
                return False
            import_string(message.handler)(**message.payload)
            message.delivered_at = timezone.now()
            message.attempts += 1
            message.save(update_fields=["delivered_at", "attempts"])
            return True
    except Exception as exc:
        _record_failure(message_id=message_id, error=exc)
        raise


def _record_failure(*, message_id: int, error: Exception) -> None:
    # Only the exception's class name is kept: messages may quote data we must not store.
    message = OutboxMessage.objects.filter(pk=message_id).first()
    if message is None:
        return
    attempts = message.attempts + 1
    delay = timedelta(seconds=min(3600, 10 * 2**attempts))
    OutboxMessage.objects.filter(pk=message_id).update(
        attempts=attempts,
        last_error=type(error).__name__[:200],
        available_at=timezone.now() + delay,
    )
    logger.warning(
        "outbox: message %s failed (%s), attempt %s", message_id, type(error).__name__, attempts
    )


def pending_ids(*, limit: int = 500) -> list[int]:
    return list(
        OutboxMessage.objects.filter(
            delivered_at__isnull=True,
            available_at__lte=timezone.now(),
            attempts__lt=settings.OUTBOX_MAX_ATTEMPTS,
        )
        .order_by("available_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def relay(*, limit: int = 500) -> int:
    """Deliver what is due; returns how many messages ran. Failures stay for a later run."""
    delivered = 0
    for message_id in pending_ids(limit=limit):
        try:
            delivered += deliver(message_id=message_id)
        except Exception:  # noqa: S112, BLE001 - deliver() logged it and recorded it on the row
            continue
    return delivered


def purge_delivered() -> int:
    cutoff = timezone.now() - settings.OUTBOX_KEEP_DELIVERED
    deleted, _ = OutboxMessage.objects.filter(delivered_at__lt=cutoff).delete()
    return deleted
