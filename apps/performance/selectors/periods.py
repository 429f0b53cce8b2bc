"""The months the ledger, the scores and the reports speak of, in Jakarta time."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from apps.core.errors import ApplicationError

JAKARTA = ZoneInfo("Asia/Jakarta")


def month_of(*, at: datetime) -> date:
    local = at.astimezone(JAKARTA)
    return date(local.year, local.month, 1)


# The months the ledger, the scores and the API speak of: from January 2000 to the last month
# whose end (the first instant of the next month) a ``datetime`` can hold, November 9999.
PERIOD_FIRST = date(2000, 1, 1)
PERIOD_LAST = date(9999, 11, 1)
PERIOD_RANGE_MESSAGE = _("Give a month from %(first)s to %(last)s.")


def period_range_message() -> str:
    return str(PERIOD_RANGE_MESSAGE) % {
        "first": f"{PERIOD_FIRST:%Y-%m}",
        "last": f"{PERIOD_LAST:%Y-%m}",
    }


def month_bounds(*, period: date) -> tuple[datetime, datetime]:
    """[start, end) of a calendar month in Jakarta time, as aware datetimes.

    A month outside ``PERIOD_FIRST``..``PERIOD_LAST`` is a 400 naming ``period`` (the end of
    December 9999 cannot be represented).
    """
    if not PERIOD_FIRST <= period.replace(day=1) <= PERIOD_LAST:
        raise ApplicationError(fields={"period": [period_range_message()]})
    start = datetime(period.year, period.month, 1, tzinfo=JAKARTA)
    nxt = date(period.year + period.month // 12, period.month % 12 + 1, 1)
    return start, datetime(nxt.year, nxt.month, 1, tzinfo=JAKARTA)
