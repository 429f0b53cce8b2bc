"""Reads of the performance app: ledger counts, scores and the manager report.

Access control lives here (docs/conventions.md C11): managers (``OrgRole.MANAGER`` group)
see every unit; an officer sees only their own scores and breaches. The manager report, its
drill-down, charts and exports take their tickets from
``apps.triage.selectors.scope.report_list_for_user`` (the one scoping selector), so for any
user the report, the drill-down, the exports and the staff queue agree.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.accounts.selectors import user_is_manager
from apps.core.errors import ApplicationError, Forbidden, NotFound
from apps.performance.formula import Counts
from apps.performance.models import Appeal, PerformanceMonth, ScoreEvent, ScoreSnapshot
from apps.reports.models import Report
from apps.sla.models import SlaBreach
from apps.triage.selectors.outcome import (
    BACKLOG_BUCKETS,
    BREACHED,
    overdue_unbreached,
    report_outcome_filters,
)
from apps.triage.selectors.scope import StaffScope, report_list_for_user, staff_scope_for_user

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


# --- ledger and scores ------------------------------------------------------------------


def _ledger_counts(qs: QuerySet[ScoreEvent], key: str) -> dict[int, Counts]:
    rows = (
        qs.values(key)
        .annotate(
            on_time=Coalesce(Sum("count", filter=Q(kind=ScoreEvent.Kind.ON_TIME)), 0),
            breaches=Coalesce(Sum("count", filter=Q(kind=ScoreEvent.Kind.BREACH)), 0),
            reopens=Coalesce(Sum("count", filter=Q(kind=ScoreEvent.Kind.REOPEN)), 0),
            ratings=Coalesce(Sum("count", filter=Q(kind=ScoreEvent.Kind.RATING)), 0),
            rating_sum=Coalesce(
                Sum(F("rating") * F("count"), filter=Q(kind=ScoreEvent.Kind.RATING)), 0
            ),
            adjustments=Count("id", filter=Q(source=ScoreEvent.Source.APPEAL)),
        )
        .order_by(key)
    )
    return {
        row[key]: Counts(
            tickets=row["on_time"] + row["breaches"],
            on_time=row["on_time"],
            breaches=row["breaches"],
            reopens=row["reopens"],
            ratings=row["ratings"],
            rating_sum=row["rating_sum"],
            adjustments=row["adjustments"],
        )
        for row in rows
        if row[key] is not None
    }


def counts_by_subject(*, period: date, subject: str) -> dict[int, Counts]:
    """Raw counts per unit (``subject="unit"``) or officer for one month, in one query."""
    key = "agency_id" if subject == "unit" else "officer_id"
    return _ledger_counts(ScoreEvent.objects.filter(period=period), key)


def month_is_closed(*, period: date) -> bool:
    return PerformanceMonth.objects.filter(period=period).exists()


def breach_entry_get_for_officer(*, officer: User, report: str, cycle: int) -> ScoreEvent:
    """The officer's breach row in the ledger for one SLA breach (report and cycle); 404 if none.

    Only the charged officer finds it: anyone else gets the same 404 as a missing breach.
    """
    breach_ids = SlaBreach.objects.filter(report__public_id=report, cycle=cycle).values("pk")
    entry = (
        ScoreEvent.objects.filter(
            source=ScoreEvent.Source.SLA_BREACH,
            kind=ScoreEvent.Kind.BREACH,
            report__public_id=report,
            officer=officer,
            source_id__in=breach_ids,
        )
        .select_related("report")
        .first()
    )
    if entry is None:
        raise NotFound()
    return entry


def appeal_get_for_user(*, user: User, public_id: Any) -> Appeal:
    """One appeal: managers see every appeal, an officer only their own; 404 otherwise."""
    appeals = Appeal.objects.all()
    if not user_is_manager(user=user):
        appeals = appeals.filter(officer=user)
    appeal = appeals.filter(public_id=public_id).first()
    if appeal is None:
        raise NotFound()
    return appeal


def scores_for_user(*, user: User, period: date, subject: str) -> list[dict[str, Any]]:
    """Scores of a month: frozen snapshots if the month is closed, live counts otherwise.

    Managers get every unit or officer; anyone else only their own officer score.
    """
    manager = user_is_manager(user=user)
    if not manager and subject != "officer":
        raise Forbidden()
    closed = month_is_closed(period=period)
    if closed:
        snaps = ScoreSnapshot.objects.filter(period=period).select_related("agency", "officer")
        snaps = (
            snaps.filter(agency__isnull=False)
            if subject == "unit"
            else snaps.filter(officer__isnull=False)
        )
        if not manager:
            snaps = snaps.filter(officer=user)
        return [
            {
                "subject": _subject_label(snap.agency, snap.officer),
                "closed": True,
                "formula_version": snap.formula_version,
                "counts": Counts(
                    tickets=snap.tickets,
                    on_time=snap.on_time,
                    breaches=snap.breaches,
                    reopens=snap.reopens,
                    ratings=snap.ratings,
                    rating_sum=snap.rating_sum,
                    adjustments=snap.adjustments,
                ),
            }
            for snap in snaps.order_by("pk")
        ]
    qs = ScoreEvent.objects.filter(period=period)
    if not manager:
        qs = qs.filter(officer=user)
    key = "agency_id" if subject == "unit" else "officer_id"
    counts = _ledger_counts(qs, key)
    labels = _labels(subject=subject, ids=list(counts))
    return [
        {"subject": labels[pk], "closed": False, "formula_version": None, "counts": c}
        for pk, c in counts.items()
    ]


def _subject_label(agency: Any, officer: Any) -> dict[str, str]:
    if agency is not None:
        return {"kind": "unit", "code": agency.code, "name": agency.name}
    return {"kind": "officer", "code": officer.username, "name": officer.get_full_name()}


def _labels(*, subject: str, ids: list[int]) -> dict[int, dict[str, str]]:
    from apps.accounts.models import Agency

    if subject == "unit":
        return {
            a.pk: _subject_label(a, None)
            for a in Agency.objects.filter(pk__in=ids).only("code", "name")
        }
    return {u.pk: _subject_label(None, u) for u in User.objects.filter(pk__in=ids)}


def breaches_for_officer(*, user: User, period: date) -> QuerySet[ScoreEvent]:
    """The officer's own breach entries of a month, with the report and the rule (reason)."""
    return (
        ScoreEvent.objects.filter(officer=user, period=period, kind=ScoreEvent.Kind.BREACH)
        .select_related("report", "agency")
        .order_by("occurred_at", "pk")
    )


# --- the manager report ------------------------------------------------------------------

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
    template = "(EXTRACT(EPOCH FROM %(expressions)s) / 3600.0)"
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


def _aggregates(*, now: datetime) -> dict[str, Any]:
    """Every count of a report row: plain aggregates, so PostgreSQL can hash them in parallel.

    ``on_time`` and ``missed`` are derived in ``_finish`` from disjoint counts (a breach sets
    ``breached_at``, so "overdue unbreached" never overlaps "breached"): each id set is probed
    as few times per ticket as possible.
    """
    filters = _metric_filters(now=now)
    derived = {"on_time", "missed"}
    return {
        **{name: Count("id", filter=q) for name, q in filters.items() if name not in derived},
        "completed_breached": Count("id", filter=Q(completed_at__isnull=False) & BREACHED),
        "open_overdue": Count(
            "id", filter=Q(status__in=Report.OPEN_STATUSES) & overdue_unbreached(now=now)
        ),
        "average_rating": Avg("rating"),
        "rated": Count("rating", output_field=IntegerField()),
    }


FOLLOW_UP_HOURS = EpochHours(
    ExpressionWrapper(F("completed_at") - F("created_at"), output_field=DurationField())
)


def _finish(row: dict[str, Any]) -> dict[str, Any]:
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
    """The counts of ``performance_report``: one row per group key, as dicts."""
    key = GROUPINGS[grouping][0]
    return (
        _base(user=user, scope=scope, start=start, end=end, now=now)
        .values(key)
        .annotate(**_aggregates(now=now))
        .order_by()
    )


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


def _follow_up_percentiles(
    *, base: QuerySet[Report], key: str
) -> dict[Any, tuple[float | None, float | None]]:
    """Median and p90 follow-up hours per group, over the completed tickets only."""
    rows = (
        base.filter(completed_at__isnull=False)
        .values(key)
        .annotate(
            median_hours=PercentileCont(FOLLOW_UP_HOURS, percentile=0.5),
            p90_hours=PercentileCont(FOLLOW_UP_HOURS, percentile=0.9),
        )
        .order_by()
    )
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
    the counts (hash aggregate, parallel) and the follow-up percentiles (completed only).

    Over the tickets ``user`` may read: managers all, officers their scope.
    """
    key = GROUPINGS[grouping][0]
    reading: dict[str, Any] = {"user": user, "scope": scope, "start": start, "end": end}
    with _big_read():
        rows = [dict(r) for r in performance_report_queryset(grouping=grouping, now=now, **reading)]
        percentiles = _follow_up_percentiles(base=_base(now=now, **reading), key=key)
    labels = _group_labels(grouping=grouping, keys=[row[key] for row in rows])
    out = []
    for row in rows:
        group = row.pop(key)
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


def performance_report_tickets(
    *,
    user: User,
    start: datetime,
    end: datetime,
    grouping: str,
    key: int | None,
    metric: str,
    now: datetime,
    scope: StaffScope | None = None,
    limit: int = 1000,
) -> list[str]:
    """The public ids behind one number of the report (same scope and filters as the aggregate)."""
    group_key = GROUPINGS[grouping][0]
    qs = _base(user=user, scope=scope, start=start, end=end, now=now).filter(
        _metric_filters(now=now)[metric]
    )
    match: dict[str, object] = {f"{group_key}__isnull": True} if key is None else {group_key: key}
    qs = qs.filter(**match)
    return list(qs.order_by("created_at", "pk").values_list("public_id", flat=True)[:limit])


def compliance_by_week(
    *,
    user: User,
    start: datetime,
    end: datetime,
    now: datetime,
    scope: StaffScope | None = None,
) -> list[dict[str, Any]]:
    filters = _metric_filters(now=now)
    rows = (
        _base(user=user, scope=scope, start=start, end=end, now=now)
        .annotate(week=TruncWeek("created_at", tzinfo=JAKARTA))
        .values("week")
        .annotate(
            on_time=Count("id", filter=filters["on_time"]),
            missed=Count("id", filter=filters["missed"]),
        )
        .order_by("week")
    )
    out = []
    for row in rows:
        total = row["on_time"] + row["missed"]
        out.append(
            {
                "week": row["week"].date(),
                "compliance_pct": round(100.0 * row["on_time"] / total, 1) if total else None,
            }
        )
    return out
