"""Writes to calendars, holidays and policies. Each change of days bumps a version."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import holidays as holidays_package
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from apps.routing.models import Category
from apps.sla.deadlines import SlaConfigurationError
from apps.sla.models import (
    Holiday,
    SlaPolicy,
    WorkCalendar,
    default_pause_statuses,
    default_warning_points,
)
from apps.sla.validation import calendar_problems, policy_problems

SYNC_SOURCE_NOTE = "holidays package, Indonesia (PUBLIC + GOVERNMENT)"


def work_calendar_default() -> WorkCalendar:
    """The calendar named by ``SLA_CALENDAR_CODE``, created on first use (Monday-Friday)."""
    calendar, _created = WorkCalendar.objects.get_or_create(
        code=settings.SLA_CALENDAR_CODE,
        defaults={"name": "DKI Jakarta", "timezone": settings.TIME_ZONE},
    )
    return calendar


def _bump(calendar: WorkCalendar) -> None:
    WorkCalendar.objects.filter(pk=calendar.pk).update(version=F("version") + 1)
    calendar.refresh_from_db(fields=["version", "updated_at"])


@transaction.atomic
def work_calendar_update(
    *, calendar: WorkCalendar, working_weekdays: Sequence[int], name: str | None = None
) -> WorkCalendar:
    problems = calendar_problems(working_weekdays=working_weekdays, timezone=calendar.timezone)
    if problems:
        raise SlaConfigurationError(_("The calendar is invalid."), fields=problems)
    calendar = WorkCalendar.objects.select_for_update().get(pk=calendar.pk)
    days = sorted(working_weekdays)
    fields = []
    if days != sorted(calendar.working_weekdays):
        calendar.working_weekdays = days
        fields.append("working_weekdays")
    if name is not None and name != calendar.name:
        calendar.name = name
        fields.append("name")
    if fields:
        calendar.save(update_fields=[*fields, "updated_at"])
        if "working_weekdays" in fields:
            _bump(calendar)
    return calendar


@transaction.atomic
def holiday_upsert(
    *,
    calendar: WorkCalendar,
    day: date,
    name: str,
    kind: str,
    source: str = Holiday.Source.MANUAL,
    decree_reference: str = "",
) -> tuple[Holiday, bool]:
    """Create or change the holiday on ``day``; returns (holiday, changed)."""
    if kind not in Holiday.Kind.values:
        raise SlaConfigurationError(
            _("Unknown holiday kind."), fields={"kind": [_("Choose a listed kind.")]}
        )
    if not name.strip():
        raise SlaConfigurationError(_("A holiday needs a name."), fields={"name": [_("Required.")]})
    WorkCalendar.objects.select_for_update().filter(pk=calendar.pk).first()
    values = {
        "name": name.strip()[:200],
        "kind": kind,
        "source": source,
        "decree_reference": decree_reference.strip()[:200],
    }
    holiday = Holiday.objects.filter(calendar=calendar, date=day).first()
    if holiday is None:
        holiday = Holiday.objects.create(calendar=calendar, date=day, **values)
        _bump(calendar)
        return holiday, True
    changed = [key for key, value in values.items() if getattr(holiday, key) != value]
    if not changed:
        return holiday, False
    for key in changed:
        setattr(holiday, key, values[key])
    holiday.save(update_fields=changed)
    if "kind" in changed:
        _bump(calendar)
    return holiday, True


@transaction.atomic
def holiday_delete(*, holiday: Holiday) -> None:
    calendar = holiday.calendar
    WorkCalendar.objects.select_for_update().filter(pk=calendar.pk).first()
    holiday.delete()
    _bump(calendar)


@dataclass(frozen=True)
class HolidaySyncResult:
    created: int
    updated: int
    unchanged: int
    kept_manual: int
    version: int


def _kind_for(day: date, government: Iterable[date]) -> str:
    return Holiday.Kind.CUTI_BERSAMA if day in government else Holiday.Kind.PUBLIC_HOLIDAY


@transaction.atomic
def holidays_sync(*, calendar: WorkCalendar, years: Sequence[int]) -> HolidaySyncResult:
    """Copy Indonesian public holidays and cuti bersama for ``years`` into ``calendar``.

    Idempotent: a second run changes nothing. Rows entered or edited by hand (source
    ``manual``) are kept as they are. The calendar version grows once if anything changed.
    """
    if not years or any(y < 2000 or y > 2100 for y in years):
        raise SlaConfigurationError(
            _("Give years between 2000 and 2100."), fields={"years": [_("Out of range.")]}
        )
    calendar = WorkCalendar.objects.select_for_update().get(pk=calendar.pk)
    table = holidays_package.country_holidays(
        "ID",
        years=list(years),
        categories=(holidays_package.PUBLIC, holidays_package.GOVERNMENT),
        language="id",
    )
    government = set(
        holidays_package.country_holidays(
            "ID", years=list(years), categories=(holidays_package.GOVERNMENT,), language="id"
        )
    )
    existing = {h.date: h for h in Holiday.objects.filter(calendar=calendar, date__in=list(table))}
    created = updated = unchanged = kept = 0
    kinds_changed = False
    for day, names in sorted(table.items()):
        values = {
            "name": str(names)[:200],
            "kind": _kind_for(day, government),
            "source": Holiday.Source.HOLIDAYS_PACKAGE,
            "decree_reference": SYNC_SOURCE_NOTE,
        }
        row = existing.get(day)
        if row is None:
            Holiday.objects.create(calendar=calendar, date=day, **values)
            created += 1
            kinds_changed = True
            continue
        if row.source == Holiday.Source.MANUAL:
            kept += 1
            continue
        changed = [key for key, value in values.items() if getattr(row, key) != value]
        if not changed:
            unchanged += 1
            continue
        for key in changed:
            setattr(row, key, values[key])
        row.save(update_fields=changed)
        updated += 1
        kinds_changed = kinds_changed or "kind" in changed
    if kinds_changed:
        _bump(calendar)
    return HolidaySyncResult(
        created=created,
        updated=updated,
        unchanged=unchanged,
        kept_manual=kept,
        version=calendar.version,
    )


POLICY_FIELDS = (
    "target",
    "unit",
    "include_cuti_bersama",
    "pause_statuses",
    "warning_points",
    "calendar",
)


@transaction.atomic
def sla_policy_save(
    *,
    category: Category | None,
    target: int,
    unit: str = SlaPolicy.Unit.CALENDAR_DAYS,
    include_cuti_bersama: bool = True,
    pause_statuses: Sequence[str] | None = None,
    warning_points: Sequence[int] | None = None,
    calendar: WorkCalendar | None = None,
) -> SlaPolicy:
    """Create or edit the policy of ``category`` (None: the default policy).

    An edit that changes anything bumps the version; running clocks keep the rules they
    started with until a manager recomputes them (``sla_clock_recompute(reapply_policy=True)``).
    """
    pauses = (
        list(pause_statuses)
        if pause_statuses is not None
        else [str(status) for status in default_pause_statuses()]
    )
    points = sorted(warning_points) if warning_points is not None else default_warning_points()
    problems = policy_problems(
        target=target, unit=unit, pause_statuses=pauses, warning_points=points
    )
    if problems:
        raise SlaConfigurationError(_("The SLA policy is invalid."), fields=problems)
    calendar = calendar or work_calendar_default()
    values = {
        "target": target,
        "unit": unit,
        "include_cuti_bersama": include_cuti_bersama,
        "pause_statuses": pauses,
        "warning_points": points,
        "calendar": calendar,
    }
    lookup = SlaPolicy.objects.select_for_update()
    policy = (
        lookup.filter(category=category).first()
        if category is not None
        else lookup.filter(category__isnull=True, calendar=calendar).first()
    )
    if policy is None:
        return SlaPolicy.objects.create(category=category, **values)
    changed = [key for key in POLICY_FIELDS if getattr(policy, key) != values[key]]
    if changed:
        for key in changed:
            setattr(policy, key, values[key])
        policy.version += 1
        policy.save(update_fields=[*changed, "version", "updated_at"])
    return policy
