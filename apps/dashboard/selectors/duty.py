"""The duty view of kelurahan monitors (FKDM, petugas piket): the kelurahan they watch and
their live queue, read through the one staff scoping selector. No personal data is loaded."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.models import Agency, Membership, User
from apps.accounts.roles import KELURAHAN_MONITOR
from apps.dashboard.selectors.base import DUTY_QUEUE_MAX
from apps.reports.models import Report
from apps.routing.models import Area
from apps.triage.selectors.scope import StaffScope, report_list_for_user


def monitored_kelurahan(*, user: User) -> QuerySet[Area]:
    """The kelurahan ``user`` watches as a kelurahan monitor (``KELURAHAN_MONITOR``
    memberships of kelurahan offices); none for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return Area.objects.none()
    codes = Membership.objects.filter(
        user=user,
        role=KELURAHAN_MONITOR,
        agency__kind=Agency.Kind.KELURAHAN,
        agency__is_active=True,
    ).values("agency__jurisdiction_code")
    return (
        Area.objects.filter(level=Area.Level.KELURAHAN, code__in=codes)
        .defer("boundary")
        .order_by("code")
    )


def duty_queue(*, user: User, areas: list[Area], now: datetime | None = None) -> QuerySet[Report]:
    """The open tickets located in ``areas`` through the one staff scoping selector, as a
    monitor sees them (read-only scope, no officer's own history), least SLA time left first.

    Only what the duty view prints is loaded: no reporter, no description, no assignee.
    """
    now = now or timezone.now()
    scope = StaffScope(
        user_id=user.pk,
        act_agency_ids=frozenset(),
        supervise_agency_ids=frozenset(),
        view_agency_ids=frozenset(),
        monitor_area_codes=tuple(a.code for a in areas),
        reads_all=False,
    )
    return (
        report_list_for_user(user=user, scope=scope, now=now)
        .filter(area__in=areas, status__in=Report.OPEN_STATUSES, parent__isnull=True)
        .select_related(None)
        .select_related("category", "area", "agency")
        .only(
            "public_id",
            "status",
            "provisional_due_at",
            "created_at",
            "location",
            "is_public",
            "location_precision",
            "category__code",
            "category__name_id",
            "category__name_en",
            "area__code",
            "area__name",
            "agency__name",
            "agency__short_name",
        )[:DUTY_QUEUE_MAX]
    )
