"""Transactional outbox (docs/architecture.md, reliability).

``enqueue`` writes an ``OutboxMessage`` inside the caller's transaction and asks Celery to
deliver it right after commit. If Redis is down the row simply waits for the periodic relay,
so a committed change never loses its side effect, and a rolled-back one never has any.
``enqueue_many`` does the same for a batch keyed by dedup key, in one statement;
``message_new`` builds a row for a caller that inserts it along with its own rows.

The Celery tasks that deliver and relay messages are declared here, next to the code that
publishes them (``apps.core.tasks`` re-exports them under their registered names), so this
module imports nothing that imports it back.
"""

import functools
import json
import logging
import time
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
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


# The unique constraint on ``dedup_key`` (``OutboxMessage.Meta``).
DEDUP_CONSTRAINT = "outbox_dedup_key_unique"

_INSERT_ONCE_SQL = f"""
    INSERT INTO {OutboxMessage._meta.db_table}
        (handler, payload, dedup_key, created_at, available_at, attempts, last_error)
    VALUES (%s, %s::jsonb, %s, %s, %s, 0, '')
    ON CONFLICT ON CONSTRAINT {DEDUP_CONSTRAINT} DO NOTHING
    RETURNING id
"""  # noqa: S608 - the table name is the model's; every value is a parameter


def _check_handler(handler: str) -> None:
    if not handler.startswith("apps."):
        raise ValueError("outbox handlers live under apps.")


def enqueue(*, handler: str, payload: dict[str, Any], dedup_key: str | None = None) -> int | None:
    """Record a side effect. Returns the message id (None when ``dedup_key`` was seen before).

    Must be called inside the transaction that makes the change. ``payload`` holds ids and
    codes only: it is stored and logged, so never put personal data in it.
    """
    _check_handler(handler)
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


def message_new(
    *, handler: str, payload: dict[str, Any], dedup_key: str, at: datetime
) -> OutboxMessage:
    """A side effect as an unsaved row, for a caller that inserts it in the same statement as
    the change itself (``apps.core.db.insert_linked``), then calls ``publish_on_commit``.

    Same rules as ``enqueue``; the ``dedup_key`` must be new (no ``ON CONFLICT`` inside a
    linked insert: a key seen before fails the whole statement with ``DEDUP_CONSTRAINT``).
    """
    _check_handler(handler)
    return OutboxMessage(
        handler=handler, payload=payload, dedup_key=dedup_key, created_at=at, available_at=at
    )


def publish_on_commit(messages: Iterable[OutboxMessage]) -> None:
    """Publish stored ``message_new`` rows once their transaction commits (at once outside
    one: the statement that stored them has committed)."""
    for message in messages:
        transaction.on_commit(functools.partial(_dispatch, message.pk))


_INSERT_MANY_SQL = f"""
    INSERT INTO {OutboxMessage._meta.db_table}
        (handler, payload, dedup_key, created_at, available_at, attempts, last_error)
    SELECT %(handler)s, m.payload::jsonb, m.key, %(now)s, %(now)s, 0, ''
    FROM unnest(%(keys)s::text[], %(payloads)s::text[]) AS m(key, payload)
    ON CONFLICT ON CONSTRAINT {DEDUP_CONSTRAINT} DO NOTHING
    RETURNING id
"""  # noqa: S608 - the table name is the model's; every value is a parameter

# Above this many messages in one batch, one relay task is published instead of one task each.
_PUBLISH_EACH_UP_TO = 20


def enqueue_many(*, handler: str, messages: dict[str, dict[str, Any]]) -> int:
    """Record a batch of side effects for one handler (dedup key -> payload) in ONE statement.

    Returns how many rows this statement inserted: a key queued before (by an earlier or a
    concurrent call) is neither inserted nor counted. Same rules as ``enqueue``: call it inside
    the transaction that makes the change; payloads hold ids and codes only.
    """
    _check_handler(handler)
    if not messages:
        return 0
    rows = prepared_fetch(
        _INSERT_MANY_SQL,
        {
            "handler": handler,
            "keys": list(messages),
            "payloads": [json.dumps(p, cls=DjangoJSONEncoder) for p in messages.values()],
            "now": timezone.now(),
        },
    )
    ids = [row[0] for row in rows]
    if len(ids) > _PUBLISH_EACH_UP_TO:
        transaction.on_commit(_dispatch_relay)
    else:
        for message_id in ids:
            transaction.on_commit(functools.partial(_dispatch, message_id))
    return len(ids)


# A circuit breaker for publishing (per process): after a failure, messages are left to the
# periodic relay for ``OUTBOX_PUBLISH_PAUSE`` instead of each request trying Redis again.
_publish_paused_until = 0.0


def _dispatch(message_id: int) -> None:
    _publish(outbox_deliver, {"message_id": message_id}, what=f"message {message_id}")


def _dispatch_relay() -> None:
    _publish(outbox_relay, {}, what="a relay run")


def _publish(task: Any, kwargs: dict[str, Any], *, what: str) -> None:
    global _publish_paused_until
    if time.monotonic() < _publish_paused_until:
        return
    try:
        # No publish retries (Celery's default retries for ~0.6 s): the rows are committed,
        # and the periodic relay delivers them if this fails.
        # The arguments are a message id: their plain repr, not Celery's saferepr walk.
        task.apply_async(kwargs=kwargs, retry=False, argsrepr="()", kwargsrepr=repr(kwargs))
    except Exception as exc:  # noqa: BLE001 - the periodic relay delivers it later
        if not isinstance(exc, OperationalError):  # kombu's: the broker is unreachable
            logger.warning("outbox: could not publish %s (%s)", what, type(exc).__name__)
            return
        _publish_paused_until = time.monotonic() + settings.OUTBOX_PUBLISH_PAUSE.total_seconds()
        logger.warning(
            "outbox: could not publish %s; the relay will deliver it (not publishing for %s s)",
            what,
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


# The tasks keep their registered names (``apps.core.tasks.*``): queued messages and the beat
# schedule refer to them.
@shared_task(
    name="apps.core.tasks.outbox_deliver",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def outbox_deliver(*, message_id: int) -> None:
    deliver(message_id=message_id)


@shared_task(name="apps.core.tasks.outbox_relay", ignore_result=True)
def outbox_relay() -> int:
    return relay()


@shared_task(name="apps.core.tasks.outbox_purge", ignore_result=True)
def outbox_purge() -> int:
    return purge_delivered()
