"""Reads of SLA state: which policy applies, calendar snapshots, clocks and breaches."""

from datetime import datetime

from django.db import connection
from django.db.models import Q

from apps.reports.models import Report
from apps.routing.models import Category
from apps.sla.deadlines import CalendarSnapshot
from apps.sla.models import AreaFreeze, Holiday, SlaPolicy, WorkCalendar

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


def area_freeze_pauses_for_report(*, report_id: int) -> list[tuple[datetime, datetime, str]]:
    """The area freezes covering the report's location that end after it was filed.

    Returned as extra pauses for ``apps.sla.clocks.compute_clock`` (reason ``area_freeze:<id>``).
    """
    sql = f"""
        SELECT f.id, f.starts_at, f.ends_at FROM {AreaFreeze._meta.db_table} f
        JOIN {Report._meta.db_table} r ON r.id = %(report)s
        WHERE f.ends_at > r.created_at AND ST_Covers(f.area::geography, r.location)
        ORDER BY f.starts_at, f.id
    """  # noqa: S608 - table names come from our models
    with connection.cursor() as cursor:
        cursor.execute(sql, {"report": report_id})
        return [(begin, end, f"area_freeze:{pk}") for pk, begin, end in cursor.fetchall()]
