"""Deadline arithmetic against the real holidays table (sync_holidays), and its properties."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.sla import services
from apps.sla.deadlines import CalendarSnapshot, SlaConfigurationError, due_at
from apps.sla.models import Holiday, WorkCalendar
from apps.sla.selectors import calendar_snapshot_for

JKT = ZoneInfo("Asia/Jakarta")
FILED = datetime(2026, 3, 17, 10, 30, tzinfo=JKT)  # Tuesday before Lebaran 2026


@pytest.fixture
def calendar(db: None) -> WorkCalendar:
    call_command("sync_holidays", "--years", "2025", "2026", "2027", stdout=_Sink())
    return services.work_calendar_default()


class _Sink:
    def write(self, _text: str) -> None:
        return None


def _end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=JKT)


def test_lebaran_2026_deadline_matrix(calendar: WorkCalendar) -> None:
    public_only = calendar_snapshot_for(calendar=calendar, include_cuti_bersama=False)
    with_cuti = calendar_snapshot_for(calendar=calendar, include_cuti_bersama=True)

    assert due_at(
        start=FILED, target=6, unit="calendar_days", calendar_snapshot=with_cuti
    ) == datetime(2026, 3, 23, 10, 30, tzinfo=JKT)
    assert due_at(
        start=FILED, target=6, unit="working_days", calendar_snapshot=public_only
    ) == _end_of(date(2026, 3, 26))
    assert due_at(
        start=FILED, target=6, unit="working_days", calendar_snapshot=with_cuti
    ) == _end_of(date(2026, 4, 1))


def test_weekends_count_in_calendar_days_and_not_in_working_days(calendar: WorkCalendar) -> None:
    snapshot = calendar_snapshot_for(calendar=calendar)
    friday = datetime(2026, 7, 3, 16, 0, tzinfo=JKT)
    assert due_at(start=friday, target=6, unit="calendar_days", calendar_snapshot=snapshot) == (
        datetime(2026, 7, 9, 16, 0, tzinfo=JKT)
    )
    # Mon 6 .. Fri 10, Mon 13: the sixth working day after Friday.
    assert due_at(
        start=friday, target=6, unit="working_days", calendar_snapshot=snapshot
    ) == _end_of(date(2026, 7, 13))
    saturday = datetime(2026, 7, 4, 9, 0, tzinfo=JKT)
    assert due_at(
        start=saturday, target=1, unit="working_days", calendar_snapshot=snapshot
    ) == _end_of(date(2026, 7, 6))


def test_warning_points_are_fractions_of_the_budget(calendar: WorkCalendar) -> None:
    snapshot = calendar_snapshot_for(calendar=calendar)
    start = datetime(2026, 7, 6, 8, 0, tzinfo=JKT)  # Monday
    half = due_at(
        start=start, target=6, unit="calendar_days", calendar_snapshot=snapshot, percent=50
    )
    assert half == datetime(2026, 7, 9, 8, 0, tzinfo=JKT)
    eighty = due_at(
        start=start, target=6, unit="working_days", calendar_snapshot=snapshot, percent=80
    )
    # 4.8 working days after Monday: Tue..Fri are 4, then 0.8 of Monday 13 July.
    assert eighty == datetime(2026, 7, 13, 19, 12, tzinfo=JKT)


def test_sync_holidays_is_idempotent_and_versions_the_calendar(calendar: WorkCalendar) -> None:
    version, count = calendar.version, Holiday.objects.count()
    assert Holiday.objects.filter(date=date(2026, 3, 18)).get().kind == "cuti_bersama"
    assert Holiday.objects.filter(date=date(2026, 3, 19)).get().kind == "public_holiday"
    assert Holiday.objects.filter(kind="cuti_bersama", date__year=2026).count() == 8
    result = services.holidays_sync(calendar=calendar, years=[2025, 2026, 2027])
    calendar.refresh_from_db()
    assert (result.created, result.updated, calendar.version, Holiday.objects.count()) == (
        0,
        0,
        version,
        count,
    )


def test_holiday_edits_bump_the_version_and_manual_rows_survive_sync(
    calendar: WorkCalendar,
) -> None:
    version = calendar.version
    holiday, changed = services.holiday_upsert(
        calendar=calendar,
        day=date(2026, 6, 22),
        name="HUT Jakarta (contoh)",
        kind="regional",
        decree_reference="Kepgub 1/2026",
    )
    calendar.refresh_from_db()
    assert (changed, calendar.version) == (True, version + 1)
    services.holiday_upsert(calendar=calendar, day=date(2026, 3, 18), name="Diganti", kind="ad_hoc")
    services.holidays_sync(calendar=calendar, years=[2026])
    assert Holiday.objects.get(date=date(2026, 3, 18)).name == "Diganti"
    services.holiday_delete(holiday=holiday)
    calendar.refresh_from_db()
    assert calendar.version == version + 3


def test_bad_targets_and_calendars_are_refused_with_a_clear_message(
    calendar: WorkCalendar,
) -> None:
    snapshot = calendar_snapshot_for(calendar=calendar)
    for target in (0, -3):
        with pytest.raises(SlaConfigurationError) as caught:
            due_at(start=FILED, target=target, unit="working_days", calendar_snapshot=snapshot)
        assert (caught.value.status, caught.value.code) == (400, "sla_invalid")
        assert "positive" in caught.value.message
    empty = CalendarSnapshot(
        version=1, timezone="Asia/Jakarta", working_weekdays=frozenset(), days_off=frozenset()
    )
    with pytest.raises(SlaConfigurationError, match="no working day"):
        due_at(start=FILED, target=6, unit="working_days", calendar_snapshot=empty)
    version = calendar.version
    with pytest.raises(SlaConfigurationError) as caught:
        services.work_calendar_update(calendar=calendar, working_weekdays=[])
    assert caught.value.fields["working_weekdays"] == [
        "A calendar needs at least one working weekday."
    ]
    calendar.refresh_from_db()
    assert (calendar.working_weekdays, calendar.version) == ([0, 1, 2, 3, 4], version)


def test_a_calendar_whose_days_are_all_holidays_is_refused() -> None:
    start = datetime(2026, 1, 1, tzinfo=JKT)
    all_off = frozenset(date(2026, 1, 1) + timedelta(days=n) for n in range(4 * 366))
    snapshot = CalendarSnapshot(
        version=1, timezone="Asia/Jakarta", working_weekdays=frozenset({0}), days_off=all_off
    )
    with pytest.raises(SlaConfigurationError, match="no working day within three years"):
        due_at(start=start, target=1, unit="working_days", calendar_snapshot=snapshot)


# ---- properties (no database: a snapshot built from the real 2025-2027 table) ----


def _snapshot_from_package(include_cuti: bool) -> CalendarSnapshot:
    import holidays

    cats = (holidays.PUBLIC, holidays.GOVERNMENT) if include_cuti else (holidays.PUBLIC,)
    table = holidays.country_holidays("ID", years=[2025, 2026, 2027, 2028], categories=cats)
    return CalendarSnapshot(
        version=1,
        timezone="Asia/Jakarta",
        working_weekdays=frozenset(range(5)),
        days_off=frozenset(table),
    )


SNAPSHOTS = {True: _snapshot_from_package(True), False: _snapshot_from_package(False)}
starts = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001 - hypothesis takes naive bounds
    max_value=datetime(2027, 6, 30),  # noqa: DTZ001
    timezones=st.just(JKT),
)
pause_lists = st.lists(
    st.tuples(st.integers(0, 20 * 24 * 60), st.integers(1, 5 * 24 * 60)), max_size=4
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=starts, target=st.integers(1, 15), cuti=st.booleans(), pauses=pause_lists)
def test_working_day_deadlines_land_on_working_days(
    start: datetime, target: int, cuti: bool, pauses: list[tuple[int, int]]
) -> None:
    snapshot = SNAPSHOTS[cuti]
    intervals = [
        (start + timedelta(minutes=o), start + timedelta(minutes=o + d)) for o, d in pauses
    ]
    deadline = due_at(
        start=start,
        target=target,
        unit="working_days",
        calendar_snapshot=snapshot,
        pauses=intervals,
    )
    assert deadline is not None
    assert snapshot.is_working_date(deadline.astimezone(JKT).date())
    assert deadline > start


@settings(max_examples=150, deadline=None)
@given(
    start=starts,
    target=st.integers(1, 15),
    unit=st.sampled_from(["calendar_days", "working_days"]),
    pauses=pause_lists,
    extra=st.tuples(st.integers(0, 20 * 24 * 60), st.integers(1, 5 * 24 * 60)),
)
def test_adding_a_pause_never_moves_the_deadline_earlier(
    start: datetime,
    target: int,
    unit: str,
    pauses: list[tuple[int, int]],
    extra: tuple[int, int],
) -> None:
    snapshot = SNAPSHOTS[True]
    intervals = [
        (start + timedelta(minutes=o), start + timedelta(minutes=o + d)) for o, d in pauses
    ]
    more = [
        *intervals,
        (start + timedelta(minutes=extra[0]), start + timedelta(minutes=sum(extra))),
    ]
    before = due_at(
        start=start, target=target, unit=unit, calendar_snapshot=snapshot, pauses=intervals
    )
    after = due_at(start=start, target=target, unit=unit, calendar_snapshot=snapshot, pauses=more)
    assert before is not None
    assert after is not None
    assert after >= before
    if unit == "calendar_days" and extra[0] == 0 and not pauses:
        assert after == before + timedelta(minutes=extra[1])
