"""The moved clock that guards the suite against date-dependent tests (config/test_clock.py)."""

import os
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from config.test_clock import JAKARTA, clock_destination

NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


def test_days_move_the_clock_from_the_real_now() -> None:
    assert clock_destination("+366d", NOW) == NOW + timedelta(days=366)
    assert clock_destination("-30d", NOW) == NOW - timedelta(days=30)


def test_next_leap_day_is_a_month_end_that_differs_by_zone() -> None:
    moment = clock_destination("next-leap-day", NOW)
    assert moment == datetime(2028, 3, 1, 3, 0, tzinfo=JAKARTA)
    assert moment.astimezone(UTC).date() == datetime(2028, 2, 29, tzinfo=UTC).date()
    # from inside a leap year, the next one
    assert clock_destination("next-leap-day", datetime(2028, 1, 10, tzinfo=UTC)).year == 2032


def test_an_iso_moment_needs_a_zone() -> None:
    later = (datetime.now(UTC) + timedelta(days=400)).astimezone(JAKARTA).replace(microsecond=0)
    assert clock_destination(later.isoformat(), NOW) == later
    naive = later.replace(tzinfo=None).isoformat()
    for bad in (naive, "tomorrow", "+1y", "+d", ""):
        with pytest.raises(ValueError, match="LW_TEST_CLOCK"):
            clock_destination(bad, NOW)


@pytest.mark.skipif(not os.environ.get("LW_TEST_CLOCK"), reason="the clock is not moved")
def test_the_moved_clock_is_the_one_the_code_reads() -> None:
    moved_to = settings.TEST_CLOCK
    assert timedelta(0) <= timezone.now() - moved_to < timedelta(hours=2)
    assert abs(datetime.now(UTC) - timezone.now()) < timedelta(seconds=5)
