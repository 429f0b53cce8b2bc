"""Four-eyes reveal of a reporter's identity for one ticket (docs/privacy.md, "Reveal").

request (officer of the unit, with a reason) → grant (a *different* supervisor of the same
unit, with an expiry) → reveal (the requesting officer, same ticket, granted fields only).
Every decision is an ``IdentityAccessEvent``: a reveal's event is written in the same
transaction as the decryption; a refusal's event in its own committed transaction, so the
403 that follows does not roll it back.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Agency, User
from apps.accounts.selectors import agencies_for_user
from apps.identity import vault
from apps.identity.errors import (
    ReporterErased,
    RevealAlreadyUsed,
    RevealDenied,
    RevealRequestAlreadyDecided,
)
from apps.identity.models import IdentityAccessEvent, Reporter, RevealRequest
from apps.identity.services.audit import access_event_record, access_event_write

ACT = "act_on_agency_reports"
SUPERVISE = "supervise_agency"

# The bounds of a grant's lifetime a supervisor may choose (default: the setting).
GRANT_HOURS_MIN, GRANT_HOURS_MAX = 1, 72


class Denial:
    """Reason codes of refused requests, grants and reveals (stored in the event's detail)."""

    NO_PERMISSION = "no_permission"
    NOT_SUPERVISOR = "not_supervisor"
    SELF_GRANT = "self_grant"
    NO_GRANT = "no_grant"
    GRANT_EXPIRED = "grant_expired"
    OTHER_TICKET = "other_ticket"
    FIELD_NOT_GRANTED = "field_not_granted"
    GRANTOR_NOT_SUPERVISOR = "grantor_not_supervisor"
    RESTRICTED = "restricted"
    ERASED = "erased"
    ALREADY_REVEALED = "already_revealed"  # not logged: the reveal itself was


def _holds(*, user: User, perm: str, agency: Agency) -> bool:
    return agencies_for_user(user=user, perm=perm).filter(pk=agency.pk).exists()


@dataclass(frozen=True)
class _Attempt:
    """Who wants what, for which ticket: the context every decision is logged with."""

    reporter: Reporter
    actor: User
    agency: Agency
    ticket_ref: str
    fields: list[str]
    request: RevealRequest | None = None

    def _event(
        self, *, kind: str, reason: str = "", detail: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The access event's arguments: this attempt's context plus the request, if any."""
        detail = dict(detail or {})
        if self.request is not None:
            detail["request"] = str(self.request.public_id)
        return {
            "kind": kind,
            "reporter": self.reporter,
            "actor": self.actor,
            "agency": self.agency,
            "ticket_ref": self.ticket_ref,
            "fields": self.fields,
            "reason": reason,
            "detail": detail,
        }

    def log(self, *, kind: str, reason: str = "", detail: dict[str, Any] | None = None) -> None:
        """Write the event inside the caller's transaction."""
        access_event_write(**self._event(kind=kind, reason=reason, detail=detail))

    def deny(self, *, step: str, denial: str) -> RevealDenied | ReporterErased:
        """Record the refusal in its own committed transaction; return the error to raise."""
        access_event_record(
            **self._event(
                kind=IdentityAccessEvent.Kind.DENIED, detail={"step": step, "denial": denial}
            )
        )
        if denial == Denial.ERASED:
            return ReporterErased(denial=denial)
        return RevealDenied(denial=denial)


def _check_fields(fields: Sequence[str]) -> list[str]:
    unknown = set(fields) - set(vault.FIELDS)
    if not fields or unknown:
        raise ValueError(f"fields must be a non-empty subset of {vault.FIELDS}")
    return sorted(set(fields))


def _officer_attempt(
    reporter: Reporter,
    actor: User,
    agency: Agency,
    ticket_ref: str,
    fields: Sequence[str],
    *,
    step: str,
) -> _Attempt:
    """The checks an officer's request and reveal share: the officer acts for the unit and
    the reporter is neither erased nor restricted. A failure is logged and raised."""
    attempt = _Attempt(reporter, actor, agency, ticket_ref, _check_fields(fields))
    if not _holds(user=actor, perm=ACT, agency=agency):
        raise attempt.deny(step=step, denial=Denial.NO_PERMISSION)
    if reporter.erased_at is not None:
        raise attempt.deny(step=step, denial=Denial.ERASED)
    if reporter.reveal_restricted:
        raise attempt.deny(step=step, denial=Denial.RESTRICTED)
    return attempt


def reveal_request_create(
    *,
    reporter: Reporter,
    ticket_ref: str,
    agency: Agency,
    actor: User,
    reason: str,
    fields: Sequence[str],
) -> RevealRequest:
    """An officer of ``agency`` asks to see ``fields`` of the reporter of ``ticket_ref``.

    Whether the ticket is really held by ``agency`` is checked by the reports/triage layer
    that calls this (identity cannot see tickets).
    """
    attempt = _officer_attempt(reporter, actor, agency, ticket_ref, fields, step="request")
    with transaction.atomic():
        request = RevealRequest.objects.create(
            reporter=reporter,
            ticket_ref=ticket_ref,
            agency=agency,
            requested_by=actor,
            reason=reason,
            fields=attempt.fields,
        )
        replace(attempt, request=request).log(
            kind=IdentityAccessEvent.Kind.REQUESTED, reason=reason
        )
    return request


def _decider(*, reveal_request: RevealRequest, actor: User, step: str) -> _Attempt:
    """The decision's attempt, once ``actor`` may decide: a supervisor of the request's agency,
    not its requester (a refusal is logged and raised)."""
    attempt = _Attempt(
        reveal_request.reporter,
        actor,
        reveal_request.agency,
        reveal_request.ticket_ref,
        list(reveal_request.fields),
        reveal_request,
    )
    if not _holds(user=actor, perm=SUPERVISE, agency=reveal_request.agency):
        raise attempt.deny(step=step, denial=Denial.NOT_SUPERVISOR)
    if actor.pk == reveal_request.requested_by_id:
        raise attempt.deny(step=step, denial=Denial.SELF_GRANT)
    return attempt


def _undecided(reveal_request: RevealRequest) -> RevealRequest:
    """The request's row, locked (inside a transaction); one already granted or rejected, by a
    concurrent decision too, is ``RevealRequestAlreadyDecided``."""
    locked = RevealRequest.objects.select_for_update().get(pk=reveal_request.pk)
    if locked.granted_at is not None or locked.rejected_at is not None:
        raise RevealRequestAlreadyDecided()
    return locked


def reveal_grant(
    *, reveal_request: RevealRequest, actor: User, ttl: timedelta | None = None
) -> RevealRequest:
    """A supervisor of the request's agency, not its requester, grants it until now + ttl."""
    attempt = _decider(reveal_request=reveal_request, actor=actor, step="grant")
    if reveal_request.reporter.erased_at is not None:
        raise attempt.deny(step="grant", denial=Denial.ERASED)
    now = timezone.now()
    with transaction.atomic():
        locked = _undecided(reveal_request)
        locked.granted_by = actor
        locked.granted_at = now
        locked.expires_at = now + (ttl or settings.IDENTITY_REVEAL_GRANT_TTL)
        locked.save(update_fields=["granted_by", "granted_at", "expires_at", "updated_at"])
        attempt.log(
            kind=IdentityAccessEvent.Kind.GRANTED,
            detail={"expires_at": locked.expires_at.isoformat()},
        )
    return locked


def reveal_reject(*, reveal_request: RevealRequest, actor: User, reason: str) -> RevealRequest:
    """A supervisor of the request's agency, not its requester, rejects it with ``reason``.

    Decided once: the row is locked, and a request already granted or rejected (by a
    concurrent decision too) is ``RevealRequestAlreadyDecided`` and changes nothing.
    """
    attempt = _decider(reveal_request=reveal_request, actor=actor, step="reject")
    with transaction.atomic():
        locked = _undecided(reveal_request)
        locked.rejected_by = actor
        locked.rejected_at = timezone.now()
        locked.rejection_reason = reason
        locked.save(update_fields=["rejected_by", "rejected_at", "rejection_reason", "updated_at"])
        attempt.log(kind=IdentityAccessEvent.Kind.REJECTED, reason=reason)
    return locked


def _usable_grant(attempt: _Attempt) -> tuple[RevealRequest | None, str]:
    """The grant that allows this reveal, or None and the most specific denial reason."""
    grants = list(
        RevealRequest.objects.filter(
            reporter=attempt.reporter,
            agency=attempt.agency,
            requested_by=attempt.actor,
            granted_at__isnull=False,
        )
        .select_related("granted_by")
        .order_by("-expires_at")
    )
    if not grants:
        return None, Denial.NO_GRANT
    same_ticket = [g for g in grants if g.ticket_ref == attempt.ticket_ref]
    if not same_ticket:
        return None, Denial.OTHER_TICKET
    now = timezone.now()
    live = [g for g in same_ticket if g.expires_at is not None and g.expires_at > now]
    if not live:
        return None, Denial.GRANT_EXPIRED
    covering = [g for g in live if set(attempt.fields) <= set(g.fields)]
    if not covering:
        return None, Denial.FIELD_NOT_GRANTED
    if all(g.revealed_at is not None for g in covering):
        return None, Denial.ALREADY_REVEALED
    covering = [g for g in covering if g.revealed_at is None]
    for grant in covering:
        grantor = grant.granted_by
        if grantor is None or grantor.pk == attempt.actor.pk:
            continue
        if _holds(user=grantor, perm=SUPERVISE, agency=attempt.agency):
            return grant, ""
    # Only grants given by the requester or by someone who no longer supervises the unit.
    if all(g.granted_by_id == attempt.actor.pk for g in covering):
        return None, Denial.SELF_GRANT
    return None, Denial.GRANTOR_NOT_SUPERVISOR


def identity_reveal(
    *,
    reporter: Reporter,
    ticket_ref: str,
    agency: Agency,
    actor: User,
    fields: Sequence[str],
) -> dict[str, str | None]:
    """Decrypt ``fields`` for ``actor`` if a live four-eyes grant for this ticket allows it.

    The ``revealed`` event and the decryption share one transaction: if the event cannot be
    written, nothing is decrypted and nothing is returned. The event carries the reason of
    the request the reveal was granted under (the citizen's export shows it).

    A grant allows one reveal: the grant is marked used in the same transaction, and asking
    again (a page refreshed, a request replayed) is ``RevealAlreadyUsed``, neither decrypted
    nor logged a second time.
    """
    attempt = _officer_attempt(reporter, actor, agency, ticket_ref, fields, step="reveal")
    grant, denial = _usable_grant(attempt)
    if denial == Denial.ALREADY_REVEALED:
        raise RevealAlreadyUsed()
    if grant is None:
        raise attempt.deny(step="reveal", denial=denial)
    with transaction.atomic():
        locked = RevealRequest.objects.select_for_update().get(pk=grant.pk)
        if locked.revealed_at is not None:  # a concurrent reveal under this grant won
            raise RevealAlreadyUsed()
        locked.revealed_at = timezone.now()
        locked.save(update_fields=["revealed_at", "updated_at"])
        replace(attempt, request=grant).log(
            kind=IdentityAccessEvent.Kind.REVEALED,
            reason=grant.reason,
            detail={"granted_by": grant.granted_by_id},
        )
        return vault.reveal(reporter=reporter, fields=attempt.fields)
