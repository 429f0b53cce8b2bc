"""Reads for geography and routing (docs/routing.md)."""

import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.gis.db.models.functions import Distance, GeoFunc
from django.contrib.gis.geos import Point
from django.db.models import BooleanField, Case, F, QuerySet, When

from apps.accounts.models import Agency
from apps.core.errors import ApplicationError, OutsideServiceArea
from apps.routing.models import Area, Category, RoutingRule

# Search radius for candidate kelurahan, in degrees. 0.0011° is >= 121 m in both directions at
# Jakarta's latitude (~6° S), a superset of the 100 m fallback distance; the exact distance
# is then computed in metres on the sphere.
_CANDIDATE_RADIUS_DEG = 0.0011

# Longitude/latitude box of the province, Kepulauan Seribu included, with a margin. A point
# outside it cannot be within 100 m of any kelurahan, so it is refused without a query.
JAKARTA_BBOX = (106.30, -6.40, 107.05, -5.15)  # (min lon, min lat, max lon, max lat)


class _Covers(GeoFunc):
    function = "ST_Covers"
    output_field = BooleanField()
    geom_param_pos = (0, 1)


class _Boundary(GeoFunc):
    function = "ST_Boundary"


class UnknownCategory(ApplicationError):
    code = "unknown_category"
    status = 400
    default_message = "Unknown or inactive category."


@dataclass(frozen=True)
class Routing:
    """Where a report goes and why."""

    area: Area  # the kelurahan, with kecamatan, kota and province loaded as parents
    agency: Agency
    explanation: dict[str, Any] = field(default_factory=dict)


def point_from_lat_lon(*, lat: float, lon: float) -> Point:
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValueError("coordinates must be finite numbers")
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError("coordinates out of range")
    return Point(lon, lat, srid=4326)


def category_get_active(*, code: str) -> Category:
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise UnknownCategory(fields={"category": [str(UnknownCategory.default_message)]})
    return category


def category_list_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("sort_order", "code")


def _in_jakarta_bbox(point: Point) -> bool:
    min_lon, min_lat, max_lon, max_lat = JAKARTA_BBOX
    return min_lon <= point.x <= max_lon and min_lat <= point.y <= max_lat


def kelurahan_for_point(*, point: Point) -> tuple[Area, dict[str, Any]]:
    """The one kelurahan that serves ``point``, and how it was chosen.

    One query: candidates within ~120 m on the GiST index; a covering polygon wins, and among
    several covering ones (the boundaries overlap slightly) the one the point lies deepest
    inside; with none covering, the nearest within ``ROUTING_NEAREST_MAX_M`` metres. Ties
    end on the code, so the answer is deterministic.
    """
    if point.srid != 4326:
        raise ValueError("points must be in SRID 4326 (WGS84)")
    if not _in_jakarta_bbox(point):
        raise OutsideServiceArea()
    candidates = (
        Area.objects.filter(
            level=Area.Level.KELURAHAN, boundary__dwithin=(point, _CANDIDATE_RADIUS_DEG)
        )
        .annotate(
            covers=_Covers(F("boundary"), point),
            distance_m=Distance("boundary", point),
        )
        .annotate(
            depth_m=Case(
                When(covers=True, then=Distance(_Boundary("boundary"), point)),
                default=None,
            )
        )
        .select_related("parent__parent__parent")
        .defer(
            "boundary",
            "parent__boundary",
            "parent__parent__boundary",
            "parent__parent__parent__boundary",
        )
        .order_by(F("covers").desc(), F("depth_m").desc(nulls_last=True), "distance_m", "code")
    )
    rows = list(candidates[:2])
    if not rows:
        raise OutsideServiceArea()
    best = rows[0]
    limit = settings.ROUTING_NEAREST_MAX_M
    if not best.covers and best.distance_m.m > limit:
        raise OutsideServiceArea()
    covering = sum(1 for row in rows if row.covers)
    if best.covers:
        match = "covers" if covering == 1 else "covers_overlap_deepest"
    else:
        match = "nearest_within_limit"
    explanation: dict[str, Any] = {
        "area_code": best.code,
        "match": match,
        "distance_m": round(best.distance_m.m, 1),
    }
    return best, explanation


def _agency_for(*, category: Category, kelurahan: Area) -> tuple[Agency, dict[str, Any]]:
    chain = kelurahan.ancestors()  # kelurahan, kecamatan, kota, province
    rules = {
        rule.area_id: rule
        for rule in RoutingRule.objects.filter(
            category=category, area__in=[a.pk for a in chain], is_active=True
        ).select_related("agency")
    }
    for area in chain:
        rule = rules.get(area.pk)
        if rule is not None and rule.agency.is_active:
            return rule.agency, {"rule": "routing_rule", "rule_id": rule.pk, "rule_area": area.code}

    # The sector's unit at the category's level, else the nearest one above it.
    depth = Area.DEPTH[Area.Level(category.routing_level)]
    eligible = [a for a in chain if Area.DEPTH[Area.Level(a.level)] <= depth]
    by_code = {
        agency.jurisdiction_code: agency
        for agency in Agency.objects.filter(
            sector=category.sector,
            jurisdiction_code__in=[a.code for a in eligible],
            is_active=True,
        ).exclude(kind=Agency.Kind.TRIAGE)
    }
    for index, area in enumerate(eligible):
        agency = by_code.get(area.code)
        if agency is not None:
            return agency, {
                "rule": "sector_default",
                "sector": category.sector,
                "level": area.level,
                "fallback": index > 0,
            }
    triage = Agency.objects.get(code=settings.TRIAGE_AGENCY_CODE)
    return triage, {"rule": "central_triage", "sector": category.sector, "fallback": True}


def route(*, point: Point, category: Category) -> Routing:
    """Which kelurahan serves ``point`` and which unit must handle ``category`` there.

    Raises ``OutsideServiceArea`` (422) beyond the service area.
    """
    kelurahan, explanation = kelurahan_for_point(point=point)
    agency, agency_explanation = _agency_for(category=category, kelurahan=kelurahan)
    explanation.update(agency_explanation)
    explanation["category"] = category.code
    return Routing(area=kelurahan, agency=agency, explanation=explanation)
