"""The reveal requests of one ticket, as the triage admin shows them (no reporter data).

Visibility is identity's rule (``reveal_request_list_for_user``: one's own requests and those
of the units one supervises), narrowed to the ticket. The rows carry ids, units, officers,
fields *names*, the reason and times: never the pseudonym or any identity value.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.core.errors import NotFound
from apps.identity.models import RevealRequest
from apps.identity.selectors import reveal_request_list_for_user
from apps.reports.models import Report
from apps.triage.selectors.scope import StaffScope

PENDING, GRANTED, EXPIRED = "pending", "granted", "expired"


@dataclass(frozen=True)
class RevealRequestRow:
    """One request on the ticket page and the buttons the viewer gets for it."""

    public_id: UUID
    status: str  # PENDING, GRANTED or EXPIRED
    agency: str
    requested_by: str
    requested_at: datetime
    fields: list[str]
    reason: str
    granted_by: str
    expires_at: datetime | None
    can_grant: bool  # pending, viewer supervises the unit and did not ask
    can_reveal: bool  # viewer asked, grant live, the unit still holds the ticket


def report_reveal_requests_for_user(*, user: User, report: Report) -> QuerySet[RevealRequest]:
    """The ticket's reveal requests ``user`` may see, newest first."""
    return reveal_request_list_for_user(user=user).filter(ticket_ref=report.public_id)


def report_reveal_request_get_for_user(
    *, user: User, report: Report, public_id: UUID | str
) -> RevealRequest:
    """One of them; another ticket's, someone else's or a malformed id is a 404."""
    try:
        wanted = UUID(str(public_id))
    except ValueError:
        raise NotFound() from None
    found = report_reveal_requests_for_user(user=user, report=report).filter(public_id=wanted)
    request = found.first()
    if request is None:
        raise NotFound()
    return request


def report_reveal_rows_for_user(
    *, user: User, report: Report, scope: StaffScope, now: datetime | None = None
) -> list[RevealRequestRow]:
    """The ticket page's list (one query)."""
    now = now or timezone.now()
    rows = []
    for request in report_reveal_requests_for_user(user=user, report=report):
        if request.granted_at is None:
            status = PENDING
        elif request.expires_at is not None and request.expires_at > now:
            status = GRANTED
        else:
            status = EXPIRED
        mine = request.requested_by_id == user.pk
        rows.append(
            RevealRequestRow(
                public_id=request.public_id,
                status=status,
                agency=request.agency.short_name or request.agency.name,
                requested_by=request.requested_by.username,
                requested_at=request.created_at,
                fields=list(request.fields),
                reason=request.reason,
                granted_by=request.granted_by.username if request.granted_by else "",
                expires_at=request.expires_at,
                can_grant=status == PENDING
                and not mine
                and request.agency_id in scope.supervise_agency_ids,
                can_reveal=status == GRANTED
                and mine
                and request.agency_id == report.agency_id
                and request.revealed_at is None,  # one reveal per grant
            )
        )
    return rows
