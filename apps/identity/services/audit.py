"""Writing the identity access log: append-only, hash-chained, serialised by an advisory lock."""

import zlib
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import Agency, User
from apps.identity.models import IdentityAccessEvent, Reporter

# One chain, one writer at a time: every insert takes this transaction-scoped lock.
CHAIN_LOCK_KEY = zlib.crc32(b"identity_identityaccessevent chain")


def access_event_write(
    *,
    kind: str,
    reporter: Reporter,
    actor: User | None = None,
    agency: Agency | None = None,
    ticket_ref: str = "",
    fields: Sequence[str] = (),
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> IdentityAccessEvent:
    """Append one event to the chain. Must run inside the transaction it documents.

    Under ``pg_advisory_xact_lock`` the id is taken from the sequence and the previous hash
    read, so ids follow chain order and two writers never fork the chain.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("access_event_write must run inside a transaction")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id'))",
            [IdentityAccessEvent._meta.db_table],
        )
        (event_id,) = cursor.fetchone() or (None,)
    if event_id is None:
        raise RuntimeError("no id from the access event sequence")
    previous = IdentityAccessEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    event = IdentityAccessEvent(
        id=event_id,
        created_at=timezone.now(),
        kind=kind,
        reporter=reporter,
        actor=actor,
        agency=agency,
        ticket_ref=ticket_ref,
        fields=sorted(fields),
        reason=reason,
        detail=detail or {},
        prev_hash=previous or IdentityAccessEvent.GENESIS_HASH,
    )
    event.hash = event.compute_hash(event.prev_hash)
    event.save(force_insert=True)
    return event


def access_event_record(**kwargs: Any) -> IdentityAccessEvent:
    """Write one event in its own committed transaction (for denials: the refusal that follows
    must not roll the record back). ``durable=True`` makes a caller's open transaction an
    error instead of silently nesting the record inside something that may roll back.
    """
    with transaction.atomic(durable=True):
        return access_event_write(**kwargs)
