"""What lies behind the manager report's numbers: the tickets of one count, weekly compliance.

Same scope, period and per-ticket definitions as the report (``report.py``), so a number and
the list it links to always agree.
"""

from datetime import datetime
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncWeek

from apps.accounts.models import User
from apps.performance.selectors.periods import JAKARTA
from apps.performance.selectors.report import GROUPINGS, _base, _metric_filters
from apps.triage.selectors.scope import StaffScope


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
