"""Pure deadline arithmetic: no database, no clock reads (docs/sla.md, ADR 0005).

A deadline is the moment a budget of countable time is used up:

* ``calendar_days``: every moment counts, so N days after the start is the same local
  time N days later (Asia/Jakarta has no daylight saving time).
* ``working_days``: only whole working dates count, starting with the day *after* the
  start; the deadline is the end of the Nth working day, 23:59:59.999999 local time.

Paused intervals do not count. Fractions of the budget give the warning moments.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from apps.core.errors import ApplicationError

CALENDAR_DAYS = "calendar_days"
WORKING_DAYS = "working_days"
DAY = timedelta(days=1)
END_OF_DAY_EPSILON = timedelta(microseconds=1)
# How far ahead a working day is searched for before the calendar is called unusable.
MAX_SCAN_DAYS = 3 * 366


class SlaConfigurationError(ApplicationError):
    code = "sla_invalid"
    status = 400
    default_message = _("The SLA configuration is invalid.")


@dataclass(frozen=True)
class CalendarSnapshot:
    """What a deadline computation needs from a calendar, frozen with its version."""

    version: int
    timezone: str
    working_weekdays: frozenset[int]
    days_off: frozenset[date]

    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working_date(self, day: date) -> bool:
        return day.weekday() in self.working_weekdays and day not in self.days_off


Interval = tuple[datetime, datetime | None]


def _validate(*, start: datetime, target: int, unit: str, snapshot: CalendarSnapshot) -> None:
    if start.tzinfo is None:
        raise SlaConfigurationError(_("The start of a clock must be an aware datetime."))
    if target <= 0:
        raise SlaConfigurationError(
            _("The SLA target must be a positive number of days."),
            fields={"target": [str(_("Must be at least 1."))]},
        )
    if unit not in (CALENDAR_DAYS, WORKING_DAYS):
        raise SlaConfigurationError(
            _("Unknown SLA unit."), fields={"unit": [str(_("Use calendar_days or working_days."))]}
        )
    if unit == WORKING_DAYS and not snapshot.working_weekdays:
        raise SlaConfigurationError(
            _("The calendar has no working day, so a working-days deadline never comes."),
            fields={"working_weekdays": [str(_("Choose at least one working weekday."))]},
        )


def _countable(*, start: datetime, unit: str, snapshot: CalendarSnapshot) -> Iterator[Interval]:
    """Half-open intervals of countable time from ``start`` onwards, in order."""
    if unit == CALENDAR_DAYS:
        yield (start, None)
        return
    tz = snapshot.tz()
    day = start.astimezone(tz).date() + DAY
    idle = 0
    while True:
        if snapshot.is_working_date(day):
            idle = 0
            begin = datetime.combine(day, time.min, tzinfo=tz)
            yield (begin, datetime.combine(day + DAY, time.min, tzinfo=tz))
        else:
            idle += 1
            if idle > MAX_SCAN_DAYS:
                raise SlaConfigurationError(
                    _("The calendar has no working day within three years of %(start)s.")
                    % {"start": start.date().isoformat()}
                )
        day += DAY


def _merge(pauses: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for begin, end in sorted(pauses, key=lambda p: p[0]):
        if end is not None and end <= begin:
            continue
        if merged:
            last_begin, last_end = merged[-1]
            if last_end is None:
                break
            if begin <= last_end:
                new_end = None if end is None else max(last_end, end)
                merged[-1] = (last_begin, new_end)
                continue
        merged.append((begin, end))
    return merged


def _subtract(segment: Interval, pauses: Sequence[Interval]) -> Iterator[Interval]:
    begin, end = segment
    cursor = begin
    for p_begin, p_end in pauses:
        if end is not None and p_begin >= end:
            break
        if p_end is not None and p_end <= cursor:
            continue
        if p_begin > cursor:
            yield (cursor, p_begin)
        if p_end is None:
            return
        cursor = max(cursor, p_end)
    if end is None or cursor < end:
        yield (cursor, end)


def budget_for(*, target: int, percent: float = 100) -> timedelta:
    return timedelta(days=target) * percent / 100


def reach(
    *,
    start: datetime,
    budget: timedelta,
    unit: str,
    calendar_snapshot: CalendarSnapshot,
    pauses: Iterable[Interval] = (),
) -> datetime | None:
    """The moment ``budget`` of countable, unpaused time after ``start`` is used up.

    None when an open-ended pause begins before that moment (the clock is on hold).
    """
    merged = _merge(pauses)
    left = budget
    for segment in _countable(start=start, unit=unit, snapshot=calendar_snapshot):
        for begin, end in _subtract(segment, merged):
            if end is None or end - begin >= left:
                moment = begin + left
                if unit == WORKING_DAYS:
                    local = moment.astimezone(calendar_snapshot.tz())
                    if local.time() == time.min:
                        # Exactly midnight: the budget ended with the previous (working) day.
                        moment -= END_OF_DAY_EPSILON
                return moment.astimezone(calendar_snapshot.tz())
            left -= end - begin
        open_pause = merged[-1] if merged and merged[-1][1] is None else None
        if open_pause is not None and segment[1] is not None and open_pause[0] <= segment[1]:
            return None
    return None  # pragma: no cover - _countable is infinite or raises


def due_at(
    *,
    start: datetime,
    target: int,
    unit: str,
    calendar_snapshot: CalendarSnapshot,
    pauses: Iterable[Interval] = (),
    percent: float = 100,
) -> datetime | None:
    """The deadline (or, with ``percent`` < 100, a warning moment) of a clock.

    Raises ``SlaConfigurationError`` (400) for a target below 1, an unknown unit or a
    calendar without working days. Returns None while an open-ended pause holds the clock.
    """
    _validate(start=start, target=target, unit=unit, snapshot=calendar_snapshot)
    pause_list = list(pauses)
    if not pause_list and unit == CALENDAR_DAYS:
        tz = calendar_snapshot.tz()
        local = start.astimezone(tz)
        naive = local.replace(tzinfo=None) + budget_for(target=target, percent=percent)
        return naive.replace(tzinfo=tz)  # same wall-clock time N days later
    return reach(
        start=start,
        budget=budget_for(target=target, percent=percent),
        unit=unit,
        calendar_snapshot=calendar_snapshot,
        pauses=pause_list,
    )
