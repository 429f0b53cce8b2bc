"""Which tickets a staff member may see and act on: the ONE scoping selector (C11).

The Django admin, the staff API and every export call ``report_list_for_user`` and
``report_get_for_user``; nothing else decides ticket visibility for staff. Grants are
django-guardian object permissions on ``Agency`` rows (``accept_global_perms`` off, a
superuser flag counts for nothing):

* ``view_agency_reports`` + ``act_on_agency_reports`` on a unit (officer, supervisor, head):
  the tickets whose *current* unit is that unit; read-only, the tickets of its child units
  (a Dinas sees its Suku Dinas). Central triage is a unit like any other: its members see the
  unassigned and returned tickets, which sit with the triage unit.
* ``view_agency_reports`` alone (a kelurahan monitor: FKDM / petugas piket): read-only, the
  tickets located in the unit's area (``jurisdiction_code``), without personal data.
* an officer keeps read-only access to every ticket they held before (``Custody.officer``).
* the ``manager`` group: read-only, everything.

Anything outside the scope is a ``NotFound`` (404), the same as a missing id, and the list
and the detail use the same filter so they always agree.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.gis.measure import D
from django.db.models import (
    Case,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils import timezone
from guardian.shortcuts import get_users_with_perms

from apps.accounts.models import Agency, User
from apps.accounts.roles import OrgRole
from apps.accounts.selectors import agencies_for_user, user_has_org_role
from apps.core.errors import NotFound
from apps.reports.models import (
    DEADLINE,
    Custody,
    Report,
    ReportPhoto,
)
from apps.reports.selectors import deadline_expression
from apps.reports.selectors_public import NEARBY_RADIUS_M
from apps.triage.models import CannedReason, ResponseTemplate
from apps.triage.selectors.outcome import report_outcome_filters

NEARBY_LIMIT = 10
DUE_SOON = timedelta(hours=24)
SLA_OVERDUE, SLA_DUE_SOON, SLA_OK = "overdue", "due_soon", "ok"


@dataclass(frozen=True)
class StaffScope:
    """What one staff member may see and do, computed once per request (two queries)."""

    user_id: int | None
    act_agency_ids: frozenset[int]  # may act on tickets currently held by these units
    supervise_agency_ids: frozenset[int]  # may assign tickets of these units to others
    view_agency_ids: frozenset[int]  # full members: current tickets of these units
    monitor_area_codes: tuple[str, ...]  # view-only grants: tickets located in these areas
    reads_all: bool  # managers

    @property
    def is_monitor_only(self) -> bool:
        """Sees tickets only through view-only grants: no messages, no internal notes."""
        return not self.reads_all and not self.view_agency_ids and bool(self.monitor_area_codes)

    def can_act(self, report: Report) -> bool:
        return report.agency_id in self.act_agency_ids

    def can_supervise(self, report: Report) -> bool:
        return report.agency_id in self.supervise_agency_ids


# Internal use only: re-reading a ticket the caller has just acted on.
ALL_SCOPE = StaffScope(0, frozenset(), frozenset(), frozenset(), (), True)


def staff_scope_for_user(*, user: User) -> StaffScope:
    """The user's grants, resolved to ids (the same answer for admin, API and exports)."""
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return StaffScope(None, frozenset(), frozenset(), frozenset(), (), False)
    act = frozenset(
        agencies_for_user(user=user, perm="act_on_agency_reports").values_list("pk", flat=True)
    )
    supervise = frozenset(
        agencies_for_user(user=user, perm="supervise_agency").values_list("pk", flat=True)
    )
    viewable = list(agencies_for_user(user=user).values_list("pk", "jurisdiction_code"))
    members = frozenset(pk for pk, _code in viewable if pk in act)
    monitors = tuple(sorted(code for pk, code in viewable if pk not in act))
    return StaffScope(
        user_id=user.pk,
        act_agency_ids=act,
        supervise_agency_ids=supervise & act,
        view_agency_ids=members,
        monitor_area_codes=monitors,
        reads_all=user_has_org_role(user=user, role=OrgRole.MANAGER),
    )


def _scope_filter(scope: StaffScope) -> Q:
    if scope.user_id is None:
        return Q(pk__in=[])
    if scope.reads_all:
        return Q()
    condition = Q(Exists(Custody.objects.filter(report=OuterRef("pk"), officer_id=scope.user_id)))
    if scope.view_agency_ids:
        ids = sorted(scope.view_agency_ids)
        condition |= Q(agency_id__in=ids) | Q(agency__parent_id__in=ids)
    for code in scope.monitor_area_codes:
        condition |= Q(area__code=code) | Q(area__code__startswith=f"{code}.")
    return condition


def queue_ordering() -> list[OrderBy]:
    """The order of the staff queue, as ``order_by`` expressions (the admin may reuse it).

    Open tickets (``Report.OPEN_STATUSES``: the SLA clock runs or is paused) come first, least
    SLA time left first (the SLA clock's deadline: ``deadline_expression``); then the closed
    ones (``selesai``, ``dikonfirmasi``, ``ditolak``), most recently closed first
    (``closed_at``, or ``completed_at`` for ``selesai``). The primary key breaks ties, so pages
    never overlap.
    """
    is_open = Q(status__in=sorted(Report.OPEN_STATUSES))
    return [
        Case(When(is_open, then=Value(0)), default=Value(1), output_field=IntegerField()).asc(),
        Case(When(is_open, then=deadline_expression()), output_field=DateTimeField()).asc(
            nulls_last=True
        ),
        Case(
            When(~is_open, then=Coalesce("closed_at", "completed_at", "updated_at")),
            output_field=DateTimeField(),
        ).desc(nulls_last=True),
        F("pk").asc(),
    ]


def report_list_for_user(
    *, user: User, scope: StaffScope | None = None, now: datetime | None = None
) -> QuerySet[Report]:
    """The tickets ``user`` may read in queue order (``queue_ordering``): open tickets with
    the least SLA time left first, then closed ones, most recently closed first.

    Annotated with ``sla_left`` (due time minus now; negative when late) and ``age``, both
    computed by the database, so a page costs one query whatever its length.
    """
    scope = scope or staff_scope_for_user(user=user)
    now = now or timezone.now()
    moment = Value(now, output_field=DateTimeField())
    return (
        Report.objects.filter(_scope_filter(scope))
        .select_related("category", "area__parent__parent", "agency", "assignee")
        .defer(
            "area__boundary",
            "area__parent__boundary",
            "area__parent__parent__boundary",
            "request_fingerprint",
            "tracking_code_hash",
            "routing_explanation",
        )
        .annotate(
            **{DEADLINE: deadline_expression()},
            sla_left=ExpressionWrapper(F(DEADLINE) - moment, output_field=DurationField()),
            age=ExpressionWrapper(moment - F("created_at"), output_field=DurationField()),
        )
        .order_by(*queue_ordering())
    )


def report_get_for_user(
    *, user: User, public_id: str, scope: StaffScope | None = None, for_action: bool = False
) -> Report:
    """One ticket in ``user``'s scope; ``for_action`` also requires the right to act on it.

    Outside the scope (or read-only when acting) it is a 404, like a missing id.
    """
    scope = scope or staff_scope_for_user(user=user)
    report = report_list_for_user(user=user, scope=scope).filter(public_id=public_id).first()
    if report is None or (for_action and not scope.can_act(report)):
        raise NotFound()
    return report


def report_in_scope(*, user: User, pk: int) -> bool:
    """Whether ticket ``pk`` is one ``user`` may open (a link to it, or a redirect back to it)."""
    return report_list_for_user(user=user).filter(pk=pk).exists()


def report_get_for_user_by_pk(*, user: User, pk: int, scope: StaffScope | None = None) -> Report:
    """The admin's variant (its URLs carry the primary key): the same scope."""
    scope = scope or staff_scope_for_user(user=user)
    report = report_list_for_user(user=user, scope=scope).filter(pk=pk).first()
    if report is None:
        raise NotFound()
    return report


def disposisi_targets(*, agency: Agency) -> QuerySet[Agency]:
    """The units a ticket held by ``agency`` may be handed down to (``disposisi``): the
    Suku Dinas (or Satpol PP branches) of its Dinas, itself excluded. A Dinas or Satpol PP
    hands down to its own branches, a branch to its siblings; any other unit to none.
    Inactive units are included: the service refuses them with their own message."""
    if agency.parent_id is not None:
        family = agency.parent_id
    elif agency.kind in (Agency.Kind.DINAS, Agency.Kind.SATPOL_PP):
        family = agency.pk
    else:
        return Agency.objects.none()
    return (
        Agency.objects.filter(
            parent_id=family, kind__in=[Agency.Kind.SUKU_DINAS, Agency.Kind.SATPOL_PP]
        )
        .exclude(pk=agency.pk)
        .order_by("code")
    )


def report_photos_for_staff(*, report: Report) -> QuerySet[ReportPhoto]:
    return ReportPhoto.objects.filter(report=report).order_by("index")


def report_photo_get_for_staff(*, user: User, report_pk: int, index: int) -> ReportPhoto:
    """A photo of a ticket in the user's scope, else 404."""
    report = report_get_for_user_by_pk(user=user, pk=report_pk)
    photo = ReportPhoto.objects.filter(report=report, index=index).first()
    if photo is None:
        raise NotFound()
    return photo


def report_nearby_open_for_staff(
    *, report: Report, user: User, scope: StaffScope | None = None
) -> QuerySet[Report]:
    """Open tickets within ``NEARBY_RADIUS_M`` (the duplicate check's radius) of ``report``
    that ``user`` may also see (merge candidates); none for a report whose location is to be
    confirmed."""
    if report.location is None:
        return Report.objects.none()
    return (
        report_list_for_user(user=user, scope=scope)
        .filter(
            location__dwithin=(report.location, D(m=NEARBY_RADIUS_M)),
            status__in=sorted(Report.OPEN_STATUSES),
            parent__isnull=True,
        )
        .exclude(pk=report.pk)[:NEARBY_LIMIT]
    )


def agency_officers(*, agency: Agency) -> QuerySet[User]:
    """Active users who may act on ``agency``'s tickets (the possible assignees)."""
    users: Any = get_users_with_perms(
        agency, only_with_perms_in=["act_on_agency_reports"], with_group_users=False
    )
    return User.objects.filter(pk__in=users.values("pk"), is_active=True).order_by("username")


def user_is_central_triage(*, user: User) -> bool:
    """A member of the central triage unit (``settings.TRIAGE_AGENCY_CODE``)."""
    return (
        agencies_for_user(user=user, perm="act_on_agency_reports")
        .filter(code=settings.TRIAGE_AGENCY_CODE)
        .exists()
    )


def report_queue_filter(
    queryset: QuerySet[Report],
    *,
    statuses: list[str] | None = None,
    category: str | None = None,
    area_code: str | None = None,
    agency_code: str | None = None,
    sla: str | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
    assignee: User | None = None,
    assignee_username: str | None = None,
    outcome: str | None = None,
    now: datetime | None = None,
) -> QuerySet[Report]:
    """Narrow a scoped queue (never widens it): the filters of the admin and the staff API.

    ``area_code`` is a kota, kecamatan or kelurahan code; ``sla`` is ``overdue``,
    ``due_soon`` (within 24 hours) or ``ok``; dates are Jakarta calendar days. ``outcome``
    (``apps.triage.selectors.outcome``: tickets, on_time, missed, breaches, open) keeps the
    tickets the manager report counts under that name, merged duplicates left out as there.
    """
    now = now or timezone.now()
    if outcome:
        queryset = queryset.filter(report_outcome_filters(now=now)[outcome], parent__isnull=True)
    if assignee_username:
        queryset = queryset.filter(assignee__username=assignee_username)
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    if category:
        queryset = queryset.filter(category__code=category)
    if area_code:
        queryset = queryset.filter(
            Q(area__code=area_code) | Q(area__code__startswith=f"{area_code}.")
        )
    if agency_code:
        queryset = queryset.filter(agency__code=agency_code)
    if sla:
        open_only = queryset.filter(status__in=sorted(Report.OPEN_STATUSES))
        due = deadline_expression()
        if sla == SLA_OVERDUE:
            queryset = open_only.filter(LessThan(due, now))
        elif sla == SLA_DUE_SOON:
            queryset = open_only.filter(GreaterThanOrEqual(due, now), LessThan(due, now + DUE_SOON))
        elif sla == SLA_OK:
            queryset = open_only.filter(GreaterThanOrEqual(due, now + DUE_SOON))
    if created_from:
        queryset = queryset.filter(created_at__date__gte=created_from)
    if created_to:
        queryset = queryset.filter(created_at__date__lte=created_to)
    if assignee is not None:
        queryset = queryset.filter(assignee=assignee)
    return queryset


def response_templates_for(*, report: Report) -> QuerySet[ResponseTemplate]:
    """Active public-note templates for the ticket's category (and the general ones)."""
    return ResponseTemplate.objects.filter(
        Q(category_id=report.category_id) | Q(category__isnull=True), is_active=True
    ).order_by("purpose", "sort_order", "title")


def canned_reasons_for(*, agency: Agency) -> QuerySet[CannedReason]:
    """The unit's active ready-made reasons."""
    return CannedReason.objects.filter(agency=agency, is_active=True).order_by("purpose", "text")
