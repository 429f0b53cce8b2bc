"""Reads of SLA state: which policy applies, calendar snapshots, clocks and breaches."""

from django.db.models import Q, QuerySet

from apps.routing.models import Category
from apps.sla.deadlines import CalendarSnapshot
from apps.sla.models import Holiday, SlaBreach, SlaPolicy, WorkCalendar

ALWAYS_OFF = (Holiday.Kind.PUBLIC_HOLIDAY, Holiday.Kind.REGIONAL, Holiday.Kind.AD_HOC)


def policy_for_category(*, category: Category, calendar: WorkCalendar) -> SlaPolicy | None:
    """The category's own policy, else the calendar's default policy, else None."""
    return (
        SlaPolicy.objects.filter(Q(category=category) | Q(category__isnull=True, calendar=calendar))
        .select_related("calendar")
        .order_by("category_id")  # NULLS LAST in ascending order: the category's own first
        .first()
    )


def calendar_snapshot_for(
    *, calendar: WorkCalendar, include_cuti_bersama: bool = True
) -> CalendarSnapshot:
    kinds = [*ALWAYS_OFF, *([Holiday.Kind.CUTI_BERSAMA] if include_cuti_bersama else [])]
    days = Holiday.objects.filter(calendar=calendar, kind__in=kinds).values_list("date", flat=True)
    return CalendarSnapshot(
        version=calendar.version,
        timezone=calendar.timezone,
        working_weekdays=frozenset(calendar.working_weekdays),
        days_off=frozenset(days),
    )


def breach_list_for_report(*, report_id: int) -> QuerySet[SlaBreach]:
    return SlaBreach.objects.filter(report_id=report_id).select_related(
        "agency", "officer", "holder_agency"
    )
