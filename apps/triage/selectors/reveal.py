"""The reveal requests of one ticket, as the triage admin shows them (no reporter data).

Visibility is identity's rule (``reveal_request_list_for_user``: one's own requests and those
of the units one supervises), narrowed to the ticket. The rows carry ids, units, officers,
fields *names*, the reason and times: never the pseudonym or any identity value.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from apps.accounts.models import User
from apps.core.errors import NotFound
from apps.identity.models import RevealRequest
from apps.identity.selectors import reveal_request_list_for_user
from apps.reports.models import Report
from apps.triage.reveal_text import field_labels, reason_label
from apps.triage.selectors.scope import StaffScope

PENDING, GRANTED, EXPIRED, REJECTED = "pending", "granted", "expired", "rejected"


@dataclass(frozen=True)
class RevealRequestRow:
    """One request on the ticket page and the buttons the viewer gets for it."""

    public_id: UUID
    status: str  # PENDING, GRANTED, EXPIRED or REJECTED
    agency: str
    requested_by: str
    requested_at: datetime
    fields: list[str]
    fields_label: str  # "nama, telepon"
    reason: str  # the reason code as its label: "Verifikasi laporan …: <justification>"
    granted_by: str
    expires_at: datetime | None
    rejected_by: str
    rejection_reason: str
    can_grant: bool  # pending, viewer supervises the unit and did not ask (grant or reject)
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
        if request.rejected_at is not None:
            status = REJECTED
        elif request.granted_at is None:
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
                fields_label=field_labels(request.fields),
                reason=reason_label(request.reason),
                granted_by=request.granted_by.username if request.granted_by else "",
                expires_at=request.expires_at,
                rejected_by=request.rejected_by.username if request.rejected_by else "",
                rejection_reason=request.rejection_reason,
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


# ---- the supervisors' list of pending requests (docs/triage.md, "Reporter identity") ----


@dataclass(frozen=True)
class PendingRevealRow:
    """One request a supervisor may decide, with the ticket it is for (never the reporter)."""

    public_id: UUID
    ticket_pk: int | None  # None if the ticket is gone (it never is: reports are kept)
    ticket_ref: str
    category: str
    area: str
    agency: str
    requested_by: str
    requested_at: datetime
    fields_label: str
    reason: str


def _decidable(scope: StaffScope) -> QuerySet[RevealRequest]:
    """Requests of the units the scope supervises, except the supervisor's own."""
    return RevealRequest.objects.filter(agency_id__in=scope.supervise_agency_ids).exclude(
        requested_by_id=scope.user_id
    )


def reveal_requests_pending_for_supervisor(*, scope: StaffScope) -> list[PendingRevealRow]:
    """The pending requests the scope's supervisor may grant or reject, oldest first (one
    query; the ticket is joined by its public id, as identity cannot hold a key to it)."""
    tickets = Report.objects.filter(public_id=OuterRef("ticket_ref"))
    requests = (
        _decidable(scope)
        .filter(granted_at__isnull=True, rejected_at__isnull=True)
        .select_related("agency", "requested_by")
        .annotate(
            ticket_pk=Subquery(tickets.values("pk")[:1]),
            category_name=Subquery(tickets.values("category__name_id")[:1]),
            area_name=Subquery(tickets.values("area__name")[:1]),
        )
        .order_by("created_at", "id")
    )
    return [
        PendingRevealRow(
            public_id=request.public_id,
            ticket_pk=request.ticket_pk,
            ticket_ref=request.ticket_ref,
            category=request.category_name or "",
            area=request.area_name or "",
            agency=request.agency.short_name or request.agency.name,
            requested_by=request.requested_by.username,
            requested_at=request.created_at,
            fields_label=field_labels(request.fields),
            reason=reason_label(request.reason),
        )
        for request in requests
    ]


def reveal_request_get_for_supervisor(*, scope: StaffScope, public_id: UUID | str) -> RevealRequest:
    """A request of a unit the scope supervises, decided or not (deciding twice is the
    service's refusal); another unit's, one's own or a malformed id is a 404."""
    try:
        wanted = UUID(str(public_id))
    except ValueError:
        raise NotFound() from None
    request = (
        _decidable(scope)
        .select_related("reporter", "agency", "requested_by")
        .filter(public_id=wanted)
        .first()
    )
    if request is None:
        raise NotFound()
    return request


def reveal_requests_pending_count(*, scope: StaffScope) -> int:
    """How many requests wait for the scope's supervisor (the start page's counter)."""
    return _decidable(scope).filter(granted_at__isnull=True, rejected_at__isnull=True).count()
