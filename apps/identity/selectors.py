"""Every read of the identity app that another layer needs, access control included."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.selectors import agencies_for_user
from apps.core.errors import NotFound
from apps.identity import vault
from apps.identity.models import IdentityAccessEvent, InboxMessage, Reporter, RevealRequest


def reporter_for_user(*, user: User) -> Reporter | None:
    """The reporter profile of a signed-in citizen, or None (staff, anonymous, erased)."""
    if not user.is_authenticated:
        return None
    return Reporter.objects.filter(user=user, erased_at__isnull=True).first()


def reporter_profile(*, reporter: Reporter) -> dict[str, Any]:
    """The owner's own profile, decrypted (for ``/me`` only: the caller is the owner)."""
    return {
        "pseudonym": reporter.pseudonym,
        "created_at": reporter.created_at,
        **vault.reveal(reporter=reporter, fields=vault.FIELDS),
    }


def inbox_list_for_reporter(*, reporter: Reporter) -> QuerySet[InboxMessage]:
    """The reporter's inbox, newest first."""
    return InboxMessage.objects.filter(reporter=reporter).order_by("-created_at", "-id")


def inbox_message_get_for_reporter(*, reporter: Reporter, public_id: UUID) -> InboxMessage:
    """One of the reporter's own messages; anyone else's is a 404."""
    message = InboxMessage.objects.filter(reporter=reporter, public_id=public_id).first()
    if message is None:
        raise NotFound()
    return message


def reveal_events_for_reporter(*, reporter: Reporter) -> QuerySet[IdentityAccessEvent]:
    """Every time someone saw this reporter's identity, newest first."""
    return (
        IdentityAccessEvent.objects.filter(
            reporter=reporter, kind=IdentityAccessEvent.Kind.REVEALED
        )
        .select_related("agency")
        .order_by("-id")
    )


def reporter_export(*, reporter: Reporter) -> dict[str, Any]:
    """Everything identity holds about the reporter (UU PDP Art. 32 access request).

    The profile, every reveal of it (when, for which ticket, by which unit, which fields and
    why; the officer is not named: their data is a third party's, Art. 33) and the inbox.
    Tickets belong to the reports app, which sits above identity: it extends this export
    with its own section (docs/privacy.md, "Export").
    """
    events = list(reveal_events_for_reporter(reporter=reporter))
    reasons = _request_reasons(events=[event for event in events if not event.reason])
    return {
        "generated_at": timezone.now(),
        "profile": reporter_profile(reporter=reporter),
        "reveals": [
            {
                "at": event.created_at,
                "ticket_ref": event.ticket_ref,
                "agency": event.agency.name if event.agency else "",
                "fields": event.fields,
                "reason": event.reason or reasons.get(event.detail.get("request", ""), ""),
            }
            for event in events
        ],
        "inbox": list(inbox_list_for_reporter(reporter=reporter)),
    }


def _request_reasons(*, events: list[IdentityAccessEvent]) -> dict[str, str]:
    """The reasons of the requests these events name (``detail["request"]``), by public id.

    ``revealed`` events carry their request's reason; older ones were written without it and
    the log is append-only, so their reason is read from the request they were granted under.
    """
    public_ids: set[UUID] = set()
    for event in events:
        try:
            public_ids.add(UUID(str(event.detail.get("request", ""))))
        except ValueError:
            continue
    if not public_ids:
        return {}
    return {
        str(public_id): reason
        for public_id, reason in RevealRequest.objects.filter(
            reporter__in={event.reporter_id for event in events}, public_id__in=public_ids
        ).values_list("public_id", "reason")
    }


def reveal_request_list_for_user(*, user: User) -> QuerySet[RevealRequest]:
    """Requests the user may see: their own, and those of units they supervise."""
    supervised = agencies_for_user(user=user, perm="supervise_agency")
    return (
        RevealRequest.objects.filter(Q(requested_by=user) | Q(agency__in=supervised))
        .select_related("reporter", "agency", "requested_by", "granted_by", "rejected_by")
        .order_by("-created_at", "-id")
    )


def reveal_request_get_for_user(*, user: User, public_id: UUID) -> RevealRequest:
    request = reveal_request_list_for_user(user=user).filter(public_id=public_id).first()
    if request is None:
        raise NotFound()
    return request


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    problem: str


def access_event_chain_first_break(*, chunk_size: int = 2000) -> tuple[int, ChainBreak | None]:
    """Walk the access log in id order; returns (rows checked, first broken link or None).

    A row is broken if its ``prev_hash`` is not the previous row's ``hash`` (a row was
    removed or inserted) or its ``hash`` does not match its content (a row was edited).
    """
    previous = IdentityAccessEvent.GENESIS_HASH
    checked = 0
    for event in IdentityAccessEvent.objects.order_by("id").iterator(chunk_size=chunk_size):
        checked += 1
        if event.prev_hash != previous:
            return checked, ChainBreak(event.pk, "prev_hash does not match the previous row")
        if event.compute_hash(event.prev_hash) != event.hash:
            return checked, ChainBreak(event.pk, "hash does not match the row's content")
        previous = event.hash
    return checked, None
