"""Reads of the monitoring dashboard (docs/dashboard.md).

Public reads take their numbers from the pre-aggregated tables (``apps.dashboard.models``)
and cache what they build under the current refresh generation (``base``); only the
kelurahan page's points and cameras (``maps``), and the duty view (``duty``), read live rows
(one indexed query each). This module holds the numbers: this month's counts, the weekly
trend, the top categories and the units.

Privacy: nothing here loads a reporter, a photo, a clip or a private report's location.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from apps.core.errors import NotFound
from apps.dashboard.models import AreaStat
from apps.dashboard.selectors.base import (
    CACHE_SECONDS,
    CITY_SIMPLIFY_DEG,
    CLUSTER_CELL_PX,
    CLUSTER_MAX_CELLS,
    CLUSTER_ZOOMS,
    DUTY_QUEUE_MAX,
    GENERATION_KEY,
    KELURAHAN_SIMPLIFY_DEG,
    MIN_OUTCOMES,
    POINTS_MAX,
    POINTS_MAX_AGE,
    TREND_WEEKS,
    cached,
    cluster_cell_degrees,
    generation,
    last_refresh,
    month_start_of,
    week_start_of,
)
from apps.dashboard.selectors.duty import duty_queue, monitored_kelurahan
from apps.dashboard.selectors.maps import (
    Viewport,
    cameras_for,
    city_map,
    city_map_json,
    clusters_in,
    kelurahan_shape,
    open_breaks,
    public_points_for,
)
from apps.routing.models import Area, Category

__all__ = [
    "CACHE_SECONDS", "CITY_SIMPLIFY_DEG", "CLUSTER_CELL_PX", "CLUSTER_MAX_CELLS", "CLUSTER_ZOOMS",
    "DUTY_QUEUE_MAX", "EMPTY", "GENERATION_KEY", "KELURAHAN_SIMPLIFY_DEG", "MIN_OUTCOMES",
    "POINTS_MAX", "POINTS_MAX_AGE", "TREND_WEEKS", "Named", "Summary", "Viewport", "WeekRow",
    "cached", "cameras_for", "category_labels", "city_map", "city_map_json", "cluster_cell_degrees",
    "clusters_in", "duty_queue", "generation", "kelurahan_get", "kelurahan_shape",
    "last_refresh", "monitored_kelurahan", "month_start_of", "open_breaks",
    "public_points_for", "summary_for", "top_categories", "units_for", "units_ranked",
    "week_start_of", "weekly_trend",
]  # fmt: skip


# --- areas --------------------------------------------------------------------------------


def kelurahan_get(*, code: str) -> Area:
    """A kelurahan by its Kemendagri code (``31.71.01.1001``); 404 otherwise."""
    area = (
        Area.objects.filter(level=Area.Level.KELURAHAN, code=code)
        .select_related("parent__parent")
        .defer("boundary", "parent__boundary", "parent__parent__boundary")
        .first()
    )
    if area is None:
        raise NotFound()
    return area


# --- numbers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    reports: int
    public_reports: int
    private_reports: int
    open_now: int
    completed: int
    on_time: int
    missed: int
    median_hours: float | None

    @property
    def outcomes(self) -> int:
        return self.on_time + self.missed

    @property
    def on_time_pct(self) -> float | None:
        """On-time share of the decided tickets (followed up, or missed), None under the
        minimum: too few to be fair, as for the scores."""
        if self.outcomes < MIN_OUTCOMES:
            return None
        return round(100.0 * self.on_time / self.outcomes, 1)


EMPTY = Summary(0, 0, 0, 0, 0, 0, 0, None)
SUMMARY_FIELDS = (
    "reports", "public_reports", "private_reports", "open_now", "completed", "on_time",
    "missed", "median_hours",
)  # fmt: skip


def _summary(row: dict[str, Any] | None) -> Summary:
    if row is None:
        return EMPTY
    return Summary(**{name: row[name] for name in SUMMARY_FIELDS})


def _stats(area: Area | None, dimension: str) -> QuerySet[AreaStat]:
    rows = AreaStat.objects.filter(dimension=dimension)
    return rows.filter(area=area) if area is not None else rows.filter(area__isnull=True)


def summary_for(*, area: Area | None) -> Summary:
    """This month's numbers of the city (``area`` None) or one kelurahan."""
    return _summary(_stats(area, AreaStat.Dimension.TOTAL).values(*SUMMARY_FIELDS).first())


@dataclass(frozen=True)
class WeekRow:
    week: datetime
    summary: Summary


def weekly_trend(*, area: Area | None, now: datetime | None = None) -> list[WeekRow]:
    """The last ``TREND_WEEKS`` weeks (Monday first, Jakarta time), weeks without tickets too."""
    now = now or timezone.now()
    first = week_start_of(now) - timedelta(weeks=TREND_WEEKS - 1)
    rows = {
        row["week"]: _summary(row)
        for row in _stats(area, AreaStat.Dimension.WEEK).values("week", *SUMMARY_FIELDS)
    }
    weeks = [first + timedelta(weeks=i) for i in range(TREND_WEEKS)]
    return [WeekRow(week=w, summary=rows.get(w.date(), EMPTY)) for w in weeks]


@dataclass(frozen=True)
class Named:
    code: str
    name: str
    summary: Summary


def top_categories(*, area: Area | None, limit: int = 5) -> list[Named]:
    rows = (
        _stats(area, AreaStat.Dimension.CATEGORY)
        .filter(reports__gt=0)
        .annotate(code=F("category__code"), label_id=F("category__name_id"))
        .annotate(label_en=F("category__name_en"))
        .order_by("-reports", "code")
        .values("code", "label_id", "label_en", *SUMMARY_FIELDS)[:limit]
    )
    english = (get_language() or "id").startswith("en")
    return [
        Named(
            r["code"], (r["label_en"] if english and r["label_en"] else r["label_id"]), _summary(r)
        )
        for r in rows
    ]


def units_for(*, area: Area | None) -> list[Named]:
    """Every unit with tickets filed this month (in ``area``), most decided tickets first."""
    rows = (
        _stats(area, AreaStat.Dimension.UNIT)
        .filter(Q(reports__gt=0) | Q(open_now__gt=0))
        .annotate(code=F("agency__code"), label=F("agency__name"))
        .values("code", "label", *SUMMARY_FIELDS)
    )
    units = [Named(r["code"], r["label"], _summary(r)) for r in rows]
    return sorted(units, key=lambda u: (-u.summary.outcomes, -u.summary.reports, u.code))


def units_ranked(*, area: Area | None, limit: int = 5) -> tuple[list[Named], list[Named]]:
    """(best, worst) units by on-time share, only those with at least ``MIN_OUTCOMES``
    decided tickets; ties go to the unit with more of them. The lists never overlap."""
    rated = [u for u in units_for(area=area) if u.summary.on_time_pct is not None]
    ordered = sorted(rated, key=lambda u: (-(u.summary.on_time_pct or 0), -u.summary.outcomes))
    best = ordered[:limit]
    worst = [u for u in reversed(ordered) if u not in best][:limit]
    return best, worst


def category_labels() -> dict[str, str]:
    english = (get_language() or "id").startswith("en")
    return {
        code: (en if english and en else ind)
        for code, ind, en in Category.objects.values_list("code", "name_id", "name_en")
    }
