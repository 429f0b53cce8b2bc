"""The data protection officer's view of the reveal audit trail (docs/privacy.md, "Reveal").

Rows name who did what, when, for which ticket and unit, which *fields* (labels, never
values), why, and who decided. The reporter is never named: neither the pseudonym nor any
identity value. A ticket is shown to the DPO as its metadata only (public id, category,
area, unit, status), and only if the audit trail names it.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from apps.accounts.models import User
from apps.accounts.roles import OrgRole
from apps.accounts.selectors import user_has_org_role
from apps.core.errors import NotFound
from apps.identity.models import IdentityAccessEvent, RevealRequest
from apps.reports.models import Report
from apps.triage.reveal_text import denial_label, field_labels, reason_label

AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    kind: str  # the code, for a CSS class
    kind_label: str
    ticket_ref: str
    ticket_pk: int | None  # set when the ticket exists: the metadata page's link
    unit: str
    actor: str
    fields: str
    reason: str
    decided_by: str


def _events() -> QuerySet[IdentityAccessEvent]:
    return IdentityAccessEvent.objects.select_related("actor", "agency").order_by("-id")


def _rows(events: list[IdentityAccessEvent]) -> list[AuditRow]:
    """Readable rows for one page of events (three queries whatever the page's length)."""
    request_ids: set[UUID] = set()
    for event in events:
        try:
            request_ids.add(UUID(str(event.detail.get("request", ""))))
        except ValueError:
            continue
    requests = {
        str(r.public_id): r
        for r in RevealRequest.objects.filter(public_id__in=request_ids).select_related(
            "granted_by", "rejected_by"
        )
    }
    tickets = dict(
        Report.objects.filter(
            public_id__in={e.ticket_ref for e in events if e.ticket_ref}
        ).values_list("public_id", "pk")
    )
    rows = []
    for event in events:
        request = requests.get(str(event.detail.get("request", "")))
        reason = reason_label(event.reason or (request.reason if request else ""))
        if event.kind == IdentityAccessEvent.Kind.DENIED:
            reason = denial_label(str(event.detail.get("denial", "")))
        decided_by = ""
        if event.kind in (IdentityAccessEvent.Kind.GRANTED, IdentityAccessEvent.Kind.REJECTED):
            decided_by = event.actor.username if event.actor else ""
        elif request is not None and request.granted_by is not None:
            decided_by = request.granted_by.username
        elif request is not None and request.rejected_by is not None:
            decided_by = request.rejected_by.username
        rows.append(
            AuditRow(
                at=event.created_at,
                kind=event.kind,
                kind_label=str(event.get_kind_display()),
                ticket_ref=event.ticket_ref,
                ticket_pk=tickets.get(event.ticket_ref),
                unit=(event.agency.short_name or event.agency.name) if event.agency else "",
                actor=event.actor.username if event.actor else "",
                fields=field_labels(event.fields),
                reason=reason,
                decided_by=decided_by,
            )
        )
    return rows


def audit_page(*, page: str | int | None) -> tuple[Page, list[AuditRow]]:
    """One page of the whole trail, newest first (a bad page number is the first or last)."""
    paginator = Paginator(_events(), AUDIT_PAGE_SIZE)
    current = paginator.get_page(page)
    return current, _rows(list(current.object_list))


@dataclass(frozen=True)
class TicketMetadata:
    public_id: str
    category: str
    area: str
    unit: str
    status: str
    created_at: datetime
    closed_at: datetime | None


def audit_ticket_for_dpo(*, user: User, pk: int) -> tuple[TicketMetadata, list[AuditRow]]:
    """A ticket the trail names, as metadata, with its own trail, for the DPO; any other
    ticket, or anyone else, is a 404."""
    if not user_has_org_role(user=user, role=OrgRole.DPO):
        raise NotFound()
    report = (
        Report.objects.select_related("category", "area", "agency")
        .only(
            "public_id",
            "status",
            "created_at",
            "closed_at",
            "category__name_id",
            "area__name",
            "agency__name",
            "agency__short_name",
        )
        .filter(pk=pk)
        .first()
    )
    if (
        report is None
        or not IdentityAccessEvent.objects.filter(ticket_ref=report.public_id).exists()
    ):
        raise NotFound()
    metadata = TicketMetadata(
        public_id=report.public_id,
        category=report.category.name_id if report.category else "",
        area=report.area.name if report.area else "",
        unit=(report.agency.short_name or report.agency.name) if report.agency else "",
        status=str(report.get_status_display()),
        created_at=report.created_at,
        closed_at=report.closed_at,
    )
    return metadata, _rows(list(_events().filter(ticket_ref=report.public_id)))
