"""What became of a ticket against its deadline: the definitions the manager report counts
and the ticket queue filters by (``outcome``), kept in one place so a count in the report and
the queue it links to list exactly the same tickets (docs/performance.md).

Breached, reopened and overdue are sets of report ids read from small tables or partial
indexes (PostgreSQL hashes each once), never a join with the wide clock table nor a subquery
per ticket: the report over 1,000,000 tickets stays one scan of the reports.
"""

from datetime import datetime, timedelta

from django.db.models import Q

from apps.reports.models import Report
from apps.sla.models import SlaBreach, SlaClock

BREACHED = Q(pk__in=SlaBreach.objects.values("report_id"))
# A reopen starts a new clock cycle (index sla_clock_reopened_idx).
REOPENED = Q(pk__in=SlaClock.objects.filter(cycle__gt=1).values("report_id"))
BACKLOG_BUCKETS = (("0_2d", 0, 2), ("2_6d", 2, 6), ("6_14d", 6, 14), ("over_14d", 14, None))
# The outcomes a count of the report links to (and the queue's filter offers).
QUEUE_OUTCOMES = ("tickets", "on_time", "missed", "breaches", "open")


def overdue_unbreached(*, now: datetime) -> Q:
    """Clocks past their deadline with no breach yet (index sla_clock_due_open_idx)."""
    return Q(
        pk__in=SlaClock.objects.filter(due_at__lte=now, breached_at__isnull=True)
        .exclude(state="stopped")
        .values("report_id")
    )


def backlog_age(*, now: datetime, low: int, high: int | None) -> Q:
    """Filed ``low`` to ``high`` days before ``now`` (one backlog bucket's age, open or not)."""
    q = Q(created_at__lte=now - timedelta(days=low))
    if high is not None:
        q &= Q(created_at__gt=now - timedelta(days=high))
    return q


def report_outcome_filters(*, now: datetime) -> dict[str, Q]:
    """One ``Q`` per outcome: tickets, completed, on_time, missed, breaches, open, reopened,
    backlog_<age>. ``missed`` = breached, or still open past the deadline."""
    open_q = Q(status__in=Report.OPEN_STATUSES)
    overdue_open = open_q & overdue_unbreached(now=now)
    filters = {
        "tickets": Q(),
        "completed": Q(completed_at__isnull=False),
        "on_time": Q(completed_at__isnull=False) & ~BREACHED,
        "missed": BREACHED | overdue_open,
        "breaches": BREACHED,
        "open": open_q,
        "reopened": REOPENED,
    }
    for name, low, high in BACKLOG_BUCKETS:
        filters[f"backlog_{name}"] = open_q & backlog_age(now=now, low=low, high=high)
    return filters
