"""Run the test suite with the process clock moved (docs/conventions.md, "Time in tests").

``LW_TEST_CLOCK`` names where "now" is for the whole test process and for every process it
starts that reads the test settings (Celery workers, servers for browser tests):

- ``+400d`` / ``-30d``: that many days from the real now;
- ``next-leap-day``: 03:00 on the 1 March after the next 29 February, in Jakarta, which is
  still 29 February in UTC: a month end, a leap day and a date that differs by zone at once;
- an ISO 8601 datetime with a zone, e.g. ``2031-12-31T23:30:00+07:00``.

The clock keeps ticking from there (time-machine's ``tick=True``), so timeouts and
durations behave. Only the Python clock moves: PostgreSQL's ``now()`` does not, so code under
test takes its "now" from Python (``django.utils.timezone.now``), as the services already do.
"""

import calendar
import re
from datetime import UTC, datetime, timedelta, timezone

JAKARTA = timezone(timedelta(hours=7))
_DAYS = re.compile(r"^([+-])(\d{1,5})d$")


def clock_destination(spec: str, now: datetime) -> datetime:
    """Where ``spec`` puts the clock, given the real ``now`` (an aware datetime)."""
    spec = spec.strip()
    match = _DAYS.match(spec)
    if match:
        days = int(match.group(2))
        return now + timedelta(days=days if match.group(1) == "+" else -days)
    if spec == "next-leap-day":
        year = now.astimezone(JAKARTA).year + 1
        while not calendar.isleap(year):
            year += 1
        return datetime(year, 3, 1, 3, 0, tzinfo=JAKARTA)
    try:
        moment = datetime.fromisoformat(spec)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValueError(
            f"LW_TEST_CLOCK={spec!r}: use +Nd, -Nd, next-leap-day or an ISO datetime with a zone"
        )
    return moment


def travel_from_env(spec: str) -> datetime:
    """Move this process's clock to ``spec`` for the rest of its life; returns where to."""
    import time_machine  # a development dependency: only the test settings import this

    destination = clock_destination(spec, datetime.now(UTC))
    time_machine.travel(destination, tick=True).start()
    return destination
