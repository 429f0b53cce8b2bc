"""Checks shared by the admin forms (model ``clean``) and the services."""

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from apps.reports.models import Report
from apps.sla.deadlines import CALENDAR_DAYS, WORKING_DAYS

UNITS = (CALENDAR_DAYS, WORKING_DAYS)


def policy_problems(
    *, target: int | None, unit: str, pause_statuses: Iterable[str], warning_points: Iterable[int]
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if target is None or target <= 0:
        problems["target"] = [_("The target must be a positive number of days (at least 1).")]
    elif target > 365:
        problems["target"] = [_("The target may be at most 365 days.")]
    if unit not in UNITS:
        problems["unit"] = [_("Use calendar_days or working_days.")]
    allowed = set(Report.OPEN_STATUSES) - {Report.Status.MENUNGGU}
    bad = sorted(set(pause_statuses) - allowed)
    if bad:
        problems["pause_statuses"] = [
            _("These statuses cannot pause the clock: %(statuses)s.") % {"statuses": ", ".join(bad)}
        ]
    points = list(warning_points)
    if any(p < 1 or p > 99 for p in points) or len(set(points)) != len(points):
        problems["warning_points"] = [
            _("Warning points are distinct percentages between 1 and 99.")
        ]
    return problems


def calendar_problems(*, working_weekdays: Iterable[int], timezone: str) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    days = list(working_weekdays)
    if not days:
        problems["working_weekdays"] = [_("A calendar needs at least one working weekday.")]
    elif any(d < 0 or d > 6 for d in days) or len(set(days)) != len(days):
        problems["working_weekdays"] = [
            _("Working weekdays are distinct numbers from 0 (Monday) to 6 (Sunday).")
        ]
    try:
        ZoneInfo(timezone)
    except (ValueError, KeyError, OSError):
        problems["timezone"] = [_("Unknown time zone.")]
    return problems
