"""The manager report (docs/performance.md): per unit, officer, category or area, the counts
of a period's tickets, compliance, reopen rate, rating and follow-up percentiles.

The report, its drill-down (``drilldown.py``), charts and exports take their tickets from
``apps.triage.selectors.scope.report_list_for_user`` (the one scoping selector), so for any
user the report, the drill-down, the exports and the staff queue agree.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import pairwise
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Case,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)

from apps.accounts.models import User
from apps.reports.models import Report
from apps.triage.selectors.outcome import (
    BACKLOG_BUCKETS,
    BREACHED,
    REOPENED,
    backlog_age,
    overdue_unbreached,
    report_outcome_filters,
)
from apps.triage.selectors.scope import StaffScope, report_list_for_user, staff_scope_for_user

BACKLOG_NAMES = tuple(f"age_{name}" for name, _lo, _hi in BACKLOG_BUCKETS)

GROUPINGS: dict[str, tuple[str, str, str]] = {
    # grouping: (key, code, name) as ORM paths from Report
    "unit": ("agency_id", "agency__code", "agency__name"),
    "officer": ("assignee_id", "assignee__username", "assignee__first_name"),
    "category": ("category_id", "category__code", "category__name_id"),
    "kelurahan": ("area_id", "area__code", "area__name"),
    "kecamatan": ("area__parent_id", "area__parent__code", "area__parent__name"),
    "kota": ("area__parent__parent_id", "area__parent__parent__code", "area__parent__parent__name"),
}
METRICS = (
    "tickets",
    "on_time",
    "missed",
    "breaches",
    "open",
    "reopened",
    "completed",
    *(f"backlog_{name}" for name, _lo, _hi in BACKLOG_BUCKETS),
)


class PercentileCont(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, *, percentile: float, **extra: Any) -> None:
        super().__init__(expression, percentile=float(percentile), **extra)


class EpochHours(Func):
    """Hours of an interval, as a float: ``date_part`` computes in double precision (the
    ``numeric`` of ``EXTRACT`` made the percentiles' sort input twice as slow to compute)."""

    template = "(date_part('epoch', %(expressions)s) / 3600.0)"
    output_field = FloatField()


def report_scope_for_user(*, user: User) -> StaffScope:
    """The user's ticket scope (computed once per request and passed to the reads below)."""
    return staff_scope_for_user(user=user)


def _base(
    *, user: User, scope: StaffScope | None, start: datetime, end: datetime, now: datetime
) -> QuerySet[Report]:
    """The tickets of the report: the user's scope, filed in [start, end), no merged ones."""
    return (
        report_list_for_user(user=user, scope=scope, now=now)
        .filter(parent__isnull=True, created_at__gte=start, created_at__lt=end)
        .order_by()
    )


def _metric_filters(*, now: datetime) -> dict[str, Q]:
    return report_outcome_filters(now=now)


def ticket_outcome_filters(*, now: datetime) -> dict[str, Q]:
    """Per-ticket conditions of the report's counts (``open``, ``completed``, ``on_time``,
    ``missed``, ...): the public dashboard counts with these same definitions."""
    return _metric_filters(now=now)


# The per-ticket conditions every count of a report row is made of. Each is evaluated ONCE per
# ticket, folded into one integer (bit i set: condition i holds); the tickets are grouped by
# (group key, flags), a parallel hash aggregate with one small integer to hash, and the counts
# are summed from those few groups (``_ROLLUP_SQL``). Fourteen filtered aggregates per ticket,
# each probing the breach/reopen/overdue id sets again, cost about twice this.
#
# The per-ticket query is a subquery with ``clock_timestamp()`` in its select list: PostgreSQL
# does not merge a subquery with a volatile output into the outer query, so its row estimate
# for (key, flags) groups stays a guess (200 flag values a key) instead of "one group per
# ticket" (flags reads ``id`` and ``created_at``), and it plans the partial, parallel hash
# aggregate. Merged, the same query ran on one core.
FLAGS = ("completed", "breached", "reopened", "open", "overdue", *BACKLOG_NAMES)


# The backlog ages follow each other (each starts where the one before ends), so a ticket has
# at most one of them: one CASE finds it, instead of one per age.
if any(one[2] != nxt[1] for one, nxt in pairwise(BACKLOG_BUCKETS)):
    raise RuntimeError("BACKLOG_BUCKETS must follow each other without gaps or overlaps")


def _flag_bits(*, now: datetime) -> list[Case]:
    """One term per condition of ``FLAGS`` (the ages in a single CASE); their sum is flags."""
    filters = _metric_filters(now=now)
    conditions = {
        "completed": filters["completed"],
        "breached": BREACHED,
        "reopened": REOPENED,
        "open": filters["open"],
        "overdue": overdue_unbreached(now=now),
    }
    ages = [
        When(backlog_age(now=now, low=low, high=high), then=Value(_bits(f"age_{name}")))
        for name, low, high in BACKLOG_BUCKETS
    ]
    return [
        *(
            Case(When(q, then=Value(_bits(name))), default=Value(0))
            for name, q in conditions.items()
        ),
        Case(*ages, default=Value(0)),
    ]


def _bits(*names: str) -> int:
    return sum(1 << FLAGS.index(name) for name in names)


# Each count of a row: the tickets whose flags include all of these (see report_outcome_filters:
# backlog_<age> = open and of that age; on_time and missed are derived in ``_finish``).
COUNT_FLAGS: dict[str, int] = {
    "tickets": 0,
    "completed": _bits("completed"),
    "breaches": _bits("breached"),
    "open": _bits("open"),
    "reopened": _bits("reopened"),
    **{f"backlog_{name}": _bits("open", f"age_{name}") for name, _lo, _hi in BACKLOG_BUCKETS},
    "completed_breached": _bits("completed", "breached"),
    "open_overdue": _bits("open", "overdue"),
}

_ROLLUP_SQL = """
SELECT t.key, {counts},
       COALESCE(SUM(t.rating_sum), 0)::bigint AS rating_sum,
       COALESCE(SUM(t.rated), 0)::bigint AS rated
FROM (SELECT f.group_key AS key, f.flags, COUNT(*) AS n, SUM(f.rating) AS rating_sum,
             COUNT(f.rating) AS rated
      FROM ({flagged}) AS f
      GROUP BY 1, 2) AS t
GROUP BY t.key
"""
_COUNT_SQL = "COALESCE(SUM(t.n) FILTER (WHERE t.flags & {bits} = {bits}), 0)::bigint AS {name}"


FOLLOW_UP_HOURS = EpochHours(
    ExpressionWrapper(F("completed_at") - F("created_at"), output_field=DurationField())
)


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    rating_sum, rated = row.pop("rating_sum"), row["rated"]
    row["average_rating"] = rating_sum / rated if rated else None
    row["on_time"] = row["completed"] - row.pop("completed_breached")
    row["missed"] = row["breaches"] + row.pop("open_overdue")
    outcomes = row["on_time"] + row["missed"]
    row["compliance_pct"] = round(100.0 * row["on_time"] / outcomes, 1) if outcomes else None
    row["reopen_rate_pct"] = (
        round(100.0 * row["reopened"] / row["completed"], 1) if row["completed"] else None
    )
    for key in ("median_hours", "p90_hours", "average_rating"):
        if row[key] is not None:
            row[key] = round(float(row[key]), 2)
    return row


@contextmanager
def _big_read() -> Iterator[None]:
    """One transaction tuned for a large aggregate: no JIT (its compile time alone was ~1 s
    of a 2.4 s report over 1,000,000 tickets), enough work_mem to hash and sort in memory."""
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('jit', 'off', true), set_config('work_mem', %s, true)",
            [REPORT_WORK_MEM],
        )
        yield


REPORT_WORK_MEM = "64MB"


def performance_report_queryset(
    *,
    user: User,
    start: datetime,
    end: datetime,
    grouping: str,
    now: datetime,
    scope: StaffScope | None = None,
) -> QuerySet[Report, dict[str, Any]]:
    """The tickets of ``performance_report``, one row each: ``group_key``, ``flags`` (the
    bits of ``FLAGS``), ``rating`` and ``fence`` (see ``FLAGS``); ``report_counts_sql``
    groups and sums them."""
    key = GROUPINGS[grouping][0]
    flags = sum(_flag_bits(now=now), start=Value(0))
    return (
        _base(user=user, scope=scope, start=start, end=end, now=now)
        .annotate(
            group_key=F(key),
            flags=ExpressionWrapper(flags, output_field=IntegerField()),
            fence=Func(function="clock_timestamp", output_field=DateTimeField()),
        )
        .values("group_key", "flags", "rating", "fence")
        .order_by()
    )


def report_counts_sql(**reading: Any) -> tuple[str, tuple[Any, ...]]:
    """The one statement of the report's counts: the tickets above, grouped by (key, flags)
    in parallel, then summed per key (``COUNT_FLAGS``)."""
    flagged, params = performance_report_queryset(**reading).query.sql_with_params()
    counts = ", ".join(
        _COUNT_SQL.format(bits=bits, name=name) for name, bits in COUNT_FLAGS.items()
    )
    return _ROLLUP_SQL.format(counts=counts, flagged=flagged), params


def _report_counts(**reading: Any) -> list[dict[str, Any]]:
    """The counts of every report row, one dict per group key."""
    sql, params = report_counts_sql(**reading)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _group_labels(*, grouping: str, keys: list[Any]) -> dict[Any, tuple[str, str, str]]:
    """Code, name and short name of each group key (one small query): grouping by the key
    alone keeps the big aggregate from hashing text for every ticket. The short name (a unit's
    ``short_name``, else the name) labels the charts."""
    from apps.accounts.models import Agency
    from apps.routing.models import Area, Category

    model, code, name, short = {
        "unit": (Agency, "code", "name", "short_name"),
        "officer": (User, "username", "first_name", "first_name"),
        "category": (Category, "code", "name_id", "name_id"),
    }.get(grouping, (Area, "code", "name", "name"))
    ids = [k for k in keys if k is not None]
    rows = model.objects.filter(pk__in=ids).values_list(  # type: ignore[attr-defined]
        "pk", code, name, short
    )
    return {pk: (c, n, s or n or c) for pk, c, n, s in rows}


def _percentiles_queryset(*, base: QuerySet[Report], key: str) -> QuerySet[Report, dict[str, Any]]:
    return (
        base.filter(completed_at__isnull=False)
        .values(key)
        .annotate(
            median_hours=PercentileCont(FOLLOW_UP_HOURS, percentile=0.5),
            p90_hours=PercentileCont(FOLLOW_UP_HOURS, percentile=0.9),
        )
        .order_by()
    )


def _follow_up_percentiles(
    *, base: QuerySet[Report], key: str
) -> dict[Any, tuple[float | None, float | None]]:
    """Median and p90 follow-up hours per group, over the completed tickets only."""
    rows = _percentiles_queryset(base=base, key=key)
    return {row[key]: (row["median_hours"], row["p90_hours"]) for row in rows}


def performance_report(
    *,
    user: User,
    start: datetime,
    end: datetime,
    grouping: str,
    now: datetime,
    scope: StaffScope | None = None,
) -> list[dict[str, Any]]:
    """Every number of the manager report per group (docs/performance.md), in two queries:
    the counts (one parallel scan, ``_report_counts``) and the follow-up percentiles
    (completed tickets only).

    Over the tickets ``user`` may read: managers all, officers their scope.
    """
    key = GROUPINGS[grouping][0]
    reading: dict[str, Any] = {"user": user, "scope": scope, "start": start, "end": end}
    with _big_read():
        rows = _report_counts(grouping=grouping, now=now, **reading)
        percentiles = _follow_up_percentiles(base=_base(now=now, **reading), key=key)
    labels = _group_labels(grouping=grouping, keys=[row["key"] for row in rows])
    out = []
    for row in rows:
        group = row.pop("key")
        code, name, short_name = labels.get(group, (None, None, None))
        median, p90 = percentiles.get(group, (None, None))
        out.append(
            _finish(
                {
                    "key": group,
                    "code": code,
                    "name": name,
                    "short_name": short_name,
                    **row,
                    "median_hours": median,
                    "p90_hours": p90,
                }
            )
        )
    return sorted(out, key=lambda r: (r["code"] is None, r["code"] or ""))
