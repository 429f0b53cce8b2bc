"""Transactional outbox (docs/architecture.md, reliability).

``enqueue`` writes an ``OutboxMessage`` inside the caller's transaction and asks Celery to
deliver it right after commit. If Redis is down the row simply waits for the periodic relay,
so a committed change never loses its side effect, and a rolled-back one never has any.
"""

import json
import logging
import time
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError

from apps.core.db import prepared_fetch
from apps.core.models import OutboxMessage

logger = logging.getLogger(__name__)

# The message whose handler runs now (``deliver``): consumers outside the database key their
# effect by it, so a delivery repeated after a crash is dropped (``current_message_id``).
_delivering: ContextVar[int | None] = ContextVar("outbox_delivering", default=None)


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


# A circuit breaker for publishing (per process): after a failure, messages are left to the
# periodic relay for ``OUTBOX_PUBLISH_PAUSE`` instead of each request trying Redis again.
_publish_paused_until = 0.0


def _dispatch(message_id: int) -> None:
    from apps.core import tasks  # imported here: tasks imports this module

    global _publish_paused_until
    if time.monotonic() < _publish_paused_until:
        return
    try:
        # No publish retries (Celery's default retries for ~0.6 s): the row is committed,
        # and the relay delivers it if this fails.
        tasks.outbox_deliver.apply_async(kwargs={"message_id": message_id}, retry=False)
    except Exception as exc:  # noqa: BLE001 - the periodic relay delivers it later
        if not isinstance(exc, OperationalError):  # kombu's: the broker is unreachable
            logger.warning(
                "outbox: could not publish message %s (%s)", message_id, type(exc).__name__
            )
            return
        _publish_paused_until = time.monotonic() + settings.OUTBOX_PUBLISH_PAUSE.total_seconds()
        logger.warning(
            "outbox: could not publish message %s; the relay will deliver it (not publishing"
            " for %s s)",
            message_id,
            settings.OUTBOX_PUBLISH_PAUSE.total_seconds(),
        )


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
            token = _delivering.set(message.pk)
            try:
                import_string(message.handler)(**message.payload)
            finally:
                _delivering.reset(token)
            message.delivered_at = timezone.now()
            message.attempts += 1
            message.save(update_fields=["delivered_at", "attempts"])
            return True
    except Exception as exc:
        _record_failure(message_id=message_id, error=exc)
        raise


def current_message_id() -> int | None:
    """The id of the outbox message being delivered (None outside a delivery)."""
    return _delivering.get()


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
