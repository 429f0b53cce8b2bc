"""The dashboard's map data: the city's kelurahan polygons with their shading values, the
clustered open public reports, and one kelurahan's boundary, public points and cameras.

Privacy: nothing here loads a reporter, a photo, a clip or a private report's location.
"""

import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from apps.cctv.models import Camera
from apps.dashboard.models import ClusterCell
from apps.dashboard.selectors.base import (
    CITY_SIMPLIFY_DEG,
    CLUSTER_MAX_CELLS,
    CLUSTER_ZOOMS,
    KELURAHAN_SIMPLIFY_DEG,
    MIN_OUTCOMES,
    POINTS_MAX,
    POINTS_MAX_AGE,
    cached,
    cluster_cell_degrees,
)
from apps.reports.models import Report
from apps.routing.models import Area

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


def city_map_json() -> str:
    """The city map data as the JSON body ``/dashboard/peta.json`` sends: the polygons with
    their values and the class limits. Cached encoded: serialising 267 polygons was most of
    the request."""

    def encode() -> str:
        city = city_map()
        return json.dumps({**city, "breaks": open_breaks(features=city["features"])})

    return cached("city-map-json", encode)


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
