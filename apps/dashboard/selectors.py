"""Reads of the monitoring dashboard (docs/dashboard.md).

Public reads take their numbers from the pre-aggregated tables (``apps.dashboard.models``)
and cache what they build under the current refresh generation; only the kelurahan page's
points and cameras, and the duty view, read live rows (one indexed query each).

Privacy: nothing here loads a reporter, a photo, a clip or a private report's location.
"""

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from apps.accounts.models import Agency, Membership, User
from apps.accounts.roles import KELURAHAN_MONITOR
from apps.cctv.models import Camera
from apps.core.errors import NotFound
from apps.dashboard.models import AreaStat, ClusterCell, DashboardRefresh
from apps.performance.models import MIN_TICKETS
from apps.performance.selectors import JAKARTA
from apps.reports.models import Report
from apps.routing.models import Area, Category
from apps.triage.selectors.scope import StaffScope, report_list_for_user

GENERATION_KEY = "dashboard:generation"
CACHE_SECONDS = 600  # a safety net: a refresh retires every key anyway
TREND_WEEKS = 12
CLUSTER_ZOOMS = tuple(range(9, 17))  # below 9 the city is a few pixels; above, zoom 16's cells
CLUSTER_CELL_PX = 48  # a cell is about 48 screen pixels wide
CLUSTER_MAX_CELLS = 2000
POINTS_MAX_AGE = timedelta(days=90)
POINTS_MAX = 500
DUTY_QUEUE_MAX = 200
# Douglas-Peucker tolerance in degrees (1e-4 ~ 11 m): the city map draws 267 polygons in a few
# hundred pixels, a kelurahan page one polygon across the screen.
CITY_SIMPLIFY_DEG = 0.0009
KELURAHAN_SIMPLIFY_DEG = 0.00005
MIN_OUTCOMES = MIN_TICKETS  # an on-time share needs at least this many outcomes (as scores)

T = TypeVar("T")


# --- time windows -----------------------------------------------------------------------


def month_start_of(at: datetime) -> datetime:
    local = at.astimezone(JAKARTA)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def week_start_of(at: datetime) -> datetime:
    local = at.astimezone(JAKARTA)
    monday = local - timedelta(days=local.weekday())
    return monday.replace(hour=0, minute=0, second=0, microsecond=0)


def cluster_cell_degrees(zoom: int) -> float:
    """Width of a cluster cell at ``zoom`` in degrees of longitude (cells nest by zoom)."""
    return 360.0 / 2**zoom * CLUSTER_CELL_PX / 256


# --- caching ----------------------------------------------------------------------------


def generation() -> str:
    """The current refresh generation (cache first, the database after a cache flush)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        last = DashboardRefresh.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
        value = f"{last.timestamp():.6f}" if last else "none"
        cache.set(GENERATION_KEY, value, None)
    return str(value)


def cached(name: str, build: Callable[[], T], *, seconds: int = CACHE_SECONDS) -> T:
    """``build()`` once per generation, language and ``name``."""
    key = f"dashboard:{generation()}:{get_language() or 'id'}:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, seconds)
    return value


def last_refresh() -> DashboardRefresh | None:
    return DashboardRefresh.objects.filter(pk=1).first()


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


# --- the city map ---------------------------------------------------------------------------

SHAPES_SQL = """
SELECT a.code, a.name, ST_AsGeoJSON(ST_SimplifyPreserveTopology(a.boundary, %s), 4),
       COALESCE(s.open_now, 0), COALESCE(s.on_time, 0), COALESCE(s.missed, 0),
       COALESCE(s.reports, 0)
FROM routing_area a
LEFT JOIN dashboard_areastat s ON s.area_id = a.id AND s.dimension = 'total'
WHERE a.level = 'kelurahan'
ORDER BY a.code
"""


def _share(on_time: int, missed: int) -> float | None:
    outcomes = on_time + missed
    return round(100.0 * on_time / outcomes, 1) if outcomes >= MIN_OUTCOMES else None


def city_map() -> dict[str, Any]:
    """The 267 kelurahan, simplified in the database, with the two shading values each.

    ``o`` = open reports now, ``t`` = on-time share this month (null under the minimum),
    ``n`` = reports this month. Short keys and 4 decimals (11 m) keep the city under 50 KB gzip.
    """

    def build() -> dict[str, Any]:
        with connection.cursor() as cursor:
            cursor.execute(SHAPES_SQL, [CITY_SIMPLIFY_DEG])
            rows = cursor.fetchall()
        features = [
            {
                "type": "Feature",
                "geometry": json.loads(geometry),
                "properties": {
                    "c": code,
                    "m": name,
                    "o": open_now,
                    "t": _share(on_time, missed),
                    "n": reports,
                },
            }
            for code, name, geometry, open_now, on_time, missed, reports in rows
        ]
        return {"type": "FeatureCollection", "features": features}

    return cached("city-map", build)


def open_breaks(*, features: list[dict[str, Any]]) -> list[int]:
    """Class limits for the open-reports shading: quartiles of the non-zero counts."""
    values = sorted(f["properties"]["o"] for f in features if f["properties"]["o"] > 0)
    if not values:
        return [1, 2, 3, 4]
    picks = [
        values[min(len(values) - 1, math.floor(len(values) * q))] for q in (0, 0.25, 0.5, 0.75)
    ]
    out: list[int] = []
    for value in picks:
        out.append(max(value, out[-1] + 1) if out else max(value, 1))
    return out


@dataclass(frozen=True)
class Viewport:
    zoom: int
    bbox: tuple[float, float, float, float]


def clusters_in(*, viewport: Viewport) -> list[tuple[float, float, int]]:
    """(lon, lat, count) of the open public reports in the viewport, one per grid cell."""
    zoom = min(max(viewport.zoom, min(CLUSTER_ZOOMS)), max(CLUSTER_ZOOMS))
    min_lon, min_lat, max_lon, max_lat = viewport.bbox

    def build() -> list[tuple[float, float, int]]:
        rows = ClusterCell.objects.filter(
            zoom=zoom, lon__gte=min_lon, lon__lte=max_lon, lat__gte=min_lat, lat__lte=max_lat
        ).values_list("lon", "lat", "count")[:CLUSTER_MAX_CELLS]
        return [(round(lon, 5), round(lat, 5), count) for lon, lat, count in rows]

    # Viewports snap to the cell grid, so neighbouring pans share cache entries.
    cell = cluster_cell_degrees(zoom)
    key = ",".join(str(math.floor(v / cell)) for v in (min_lon, min_lat, max_lon, max_lat))
    return cached(f"clusters:{zoom}:{key}", build)


# --- one kelurahan ------------------------------------------------------------------------


def kelurahan_shape(*, area: Area) -> dict[str, Any]:
    def build() -> dict[str, Any]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT ST_AsGeoJSON(ST_SimplifyPreserveTopology(boundary, %s), 6) "
                "FROM routing_area WHERE id = %s",
                [KELURAHAN_SIMPLIFY_DEG, area.pk],
            )
            return json.loads(cursor.fetchone()[0])

    return cached(f"shape:{area.code}", build, seconds=24 * 3600)


def public_points_for(*, area: Area, now: datetime | None = None) -> list[dict[str, Any]]:
    """Public reports of the kelurahan with the location the reporter gave, newest first
    (the last ``POINTS_MAX_AGE``, at most ``POINTS_MAX``). Private reports never appear."""
    now = now or timezone.now()
    rows = (
        Report.objects.filter(
            area=area,
            is_public=True,
            parent__isnull=True,
            location_precision=Report.LocationPrecision.EXACT,
            created_at__gte=now - POINTS_MAX_AGE,
        )
        .order_by("-created_at", "-pk")
        .values_list("public_id", "location", "status", "category__code")[:POINTS_MAX]
    )
    return [
        {"id": pid, "lon": round(loc.x, 6), "lat": round(loc.y, 6), "s": status, "k": cat}
        for pid, loc, status, cat in rows
        if loc is not None  # exact locations always have a point; the check is for typing
    ]


def cameras_for(*, area: Area) -> QuerySet[Camera]:
    """The kelurahan's public cameras: code, name, status, last seen and place only."""
    return (
        Camera.objects.filter(kelurahan=area)
        .only("code", "name", "status", "last_seen", "location")
        .order_by("status", "name", "code")
    )


def category_labels() -> dict[str, str]:
    english = (get_language() or "id").startswith("en")
    return {
        code: (en if english and en else ind)
        for code, ind, en in Category.objects.values_list("code", "name_id", "name_en")
    }


# --- the duty view --------------------------------------------------------------------------


def monitored_kelurahan(*, user: User) -> QuerySet[Area]:
    """The kelurahan ``user`` watches as a kelurahan monitor (``KELURAHAN_MONITOR``
    memberships of kelurahan offices); none for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return Area.objects.none()
    codes = Membership.objects.filter(
        user=user,
        role=KELURAHAN_MONITOR,
        agency__kind=Agency.Kind.KELURAHAN,
        agency__is_active=True,
    ).values("agency__jurisdiction_code")
    return (
        Area.objects.filter(level=Area.Level.KELURAHAN, code__in=codes)
        .defer("boundary")
        .order_by("code")
    )


def duty_queue(*, user: User, areas: list[Area], now: datetime | None = None) -> QuerySet[Report]:
    """The open tickets located in ``areas`` through the one staff scoping selector, as a
    monitor sees them (read-only scope, no officer's own history), least SLA time left first.

    Only what the duty view prints is loaded: no reporter, no description, no assignee.
    """
    now = now or timezone.now()
    scope = StaffScope(
        user_id=user.pk,
        act_agency_ids=frozenset(),
        supervise_agency_ids=frozenset(),
        view_agency_ids=frozenset(),
        monitor_area_codes=tuple(a.code for a in areas),
        reads_all=False,
    )
    return (
        report_list_for_user(user=user, scope=scope, now=now)
        .filter(area__in=areas, status__in=Report.OPEN_STATUSES, parent__isnull=True)
        .select_related(None)
        .select_related("category", "area", "agency")
        .only(
            "public_id",
            "status",
            "provisional_due_at",
            "created_at",
            "location",
            "is_public",
            "location_precision",
            "category__code",
            "category__name_id",
            "category__name_en",
            "area__code",
            "area__name",
            "agency__name",
            "agency__short_name",
        )[:DUTY_QUEUE_MAX]
    )
