"""Reads for geography and routing (docs/routing.md)."""

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Agency
from apps.core.db import prepared_fetch
from apps.core.errors import ApplicationError, OutsideServiceArea
from apps.routing.models import Area, Category

# Search radius for candidate kelurahan, in degrees. 0.0011° is >= 121 m in both directions at
# Jakarta's latitude (~6° S), a superset of the 100 m fallback distance; the exact distance
# is then computed in metres on the sphere.
_CANDIDATE_RADIUS_DEG = 0.0011

# Longitude/latitude box of the province, Kepulauan Seribu included, with a margin. A point
# outside it cannot be within 100 m of any kelurahan, so it is refused without a query.
JAKARTA_BBOX = (106.30, -6.40, 107.05, -5.15)  # (min lon, min lat, max lon, max lat)


class UnknownCategory(ApplicationError):
    code = "unknown_category"
    status = 400
    default_message = _("Unknown or inactive category.")


@dataclass(frozen=True)
class Routing:
    """Where a report goes and why."""

    # The kelurahan, with kecamatan, kota and province loaded as parents; None for a report
    # whose location is to be confirmed (``route_to_triage``).
    area: Area | None
    agency: Agency
    explanation: dict[str, Any] = field(default_factory=dict)


def point_from_lat_lon(*, lat: float, lon: float) -> Point:
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValueError("coordinates must be finite numbers")
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError("coordinates out of range")
    return Point(lon, lat, srid=4326)


_CATEGORY_FIELDS = [f.attname for f in Category._meta.concrete_fields]
_CATEGORY_SQL = (
    "SELECT "
    + ", ".join(f'"{name}"' for name in _CATEGORY_FIELDS)
    + f" FROM {Category._meta.db_table} WHERE code = %(code)s AND is_active"
)


def category_get_active(*, code: str) -> Category:
    """The active category with ``code``; looked up on every report, so prepared like routing."""
    rows = prepared_fetch(_CATEGORY_SQL, {"code": code})
    if not rows:
        raise UnknownCategory(fields={"category": [str(UnknownCategory.default_message)]})
    return Category.from_db("default", _CATEGORY_FIELDS, list(rows[0]))


def category_list_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("sort_order", "code")


def _in_jakarta_bbox(point: Point) -> bool:
    min_lon, min_lat, max_lon, max_lat = JAKARTA_BBOX
    return min_lon <= point.x <= max_lon and min_lat <= point.y <= max_lat


# One statement answers the usual case (docs/routing.md): the kelurahan whose polygon covers
# the point (the plain ST_Covers lookup on the GiST index), its kecamatan, kota and province,
# and the unit: the most specific active routing rule for the category on any of those areas,
# else the sector's unit at the category's level or the nearest level above it (codes are
# prefixes: "31", "31.71", "31.71.01", "31.71.01.1001"). ``{where}`` selects the kelurahan.
# The rare cases, two covering polygons (the boundaries overlap slightly) or none (small gaps),
# take one more small query each and then the same statement by id.
# The statements are assembled from constants only (S608 is off for this file in
# pyproject.toml); every value is a bound parameter.
_AGENCY_FIELDS = [f.attname for f in Agency._meta.concrete_fields]
_ROW_SQL = (
    """
SELECT k.id, k.code, k.name, k.postal_code, k.parent_id,
       c.id, c.code, c.name, c.postal_code, c.parent_id,
       t.id, t.code, t.name, t.postal_code, t.parent_id,
       p.id, p.code, p.name, p.postal_code,
       rule.id, rule.area_code, unit.level, """
    + ", ".join(f"ag.{name}" for name in _AGENCY_FIELDS)
    + """
FROM routing_area k
JOIN routing_area c ON c.id = k.parent_id
JOIN routing_area t ON t.id = c.parent_id
JOIN routing_area p ON p.id = t.parent_id
LEFT JOIN LATERAL (
    SELECT r.id, ra.code AS area_code, r.agency_id
    FROM routing_routingrule r
    JOIN routing_area ra ON ra.id = r.area_id
    JOIN accounts_agency ra_ag ON ra_ag.id = r.agency_id AND ra_ag.is_active
    WHERE r.category_id = %(category)s AND r.is_active AND r.area_id IN (k.id, c.id, t.id, p.id)
    ORDER BY length(ra.code) DESC
    LIMIT 1
) rule ON true
LEFT JOIN LATERAL (
    SELECT u.id, u.level
    FROM accounts_agency u
    WHERE u.jurisdiction_code IN (k.code, c.code, t.code, p.code)
      AND u.sector = %(sector)s AND u.is_active AND u.kind <> 'triage'
      AND length(u.jurisdiction_code) <= %(max_code_length)s
    ORDER BY length(u.jurisdiction_code) DESC
    LIMIT 1
) unit ON true
LEFT JOIN accounts_agency ag ON ag.id = COALESCE(rule.agency_id, unit.id)
WHERE {where}
ORDER BY k.code
LIMIT 2
"""
)
_POINT = "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)"
_COVERING_SQL = _ROW_SQL.format(where=f"k.level = 'kelurahan' AND ST_Covers(k.boundary, {_POINT})")
_BY_ID_SQL = _ROW_SQL.format(where="k.id = %(area)s")
_DEEPEST_SQL = f"""
SELECT id FROM routing_area WHERE id IN (%(first)s, %(second)s)
ORDER BY ST_Distance(ST_Boundary(boundary)::geography, {_POINT}::geography) DESC, code
LIMIT 1
"""
_NEAREST_SQL = f"""
SELECT id, ST_Distance(boundary::geography, {_POINT}::geography) AS distance_m
FROM routing_area
WHERE level = 'kelurahan' AND ST_DWithin(boundary, {_POINT}, %(radius_deg)s)
ORDER BY distance_m, code
LIMIT 1
"""
_AREA_COLUMNS = 19  # the area columns of _ROW_SQL, kelurahan first

_AREA_FIELDS = ["id", "level", "code", "name", "parent_id", "postal_code"]  # model order
_LEVELS_DOWN = (Area.Level.KELURAHAN, Area.Level.KECAMATAN, Area.Level.KOTA, Area.Level.PROVINCE)


def _routing_rows(
    *, point: Point, category: Category | None
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The result row for the kelurahan serving ``point``, and how that kelurahan was chosen."""
    if point.srid != 4326:
        raise ValueError("points must be in SRID 4326 (WGS84)")
    if not _in_jakarta_bbox(point):
        raise OutsideServiceArea()
    params: dict[str, Any] = {
        "lon": point.x,
        "lat": point.y,
        "radius_deg": _CANDIDATE_RADIUS_DEG,
        "category": category.pk if category else None,
        "sector": category.sector if category else None,
        # A unit acts "at this level or above": codes no longer than the routing level's.
        "max_code_length": Area.CODE_LENGTH[Area.Level(category.routing_level)] if category else 0,
    }
    rows = prepared_fetch(_COVERING_SQL, params)
    if len(rows) == 1:
        return rows[0], {"area_code": rows[0][1], "match": "covers", "distance_m": 0.0}
    if len(rows) == 2:
        params.update(first=rows[0][0], second=rows[1][0])
        (deepest,) = prepared_fetch(_DEEPEST_SQL, params)[0]
        row = rows[0] if rows[0][0] == deepest else rows[1]
        return row, {"area_code": row[1], "match": "covers_overlap_deepest", "distance_m": 0.0}
    nearest = prepared_fetch(_NEAREST_SQL, params)
    if not nearest or nearest[0][1] > settings.ROUTING_NEAREST_MAX_M:
        raise OutsideServiceArea()
    params["area"] = nearest[0][0]
    row = prepared_fetch(_BY_ID_SQL, params)[0]
    explanation = {
        "area_code": row[1],
        "match": "nearest_within_limit",
        "distance_m": round(float(nearest[0][1]), 1),
    }
    return row, explanation


def _kelurahan_from_row(row: Sequence[Any]) -> Area:
    """The kelurahan of a result row, with its kecamatan, kota and province as parents.

    Boundaries are not loaded (they are deferred fields of these instances).
    """
    chain: list[Area] = []
    for index, level in enumerate(_LEVELS_DOWN):
        if level == Area.Level.PROVINCE:  # the province has no parent column
            pk, code, name, postal_code, parent_id = (*row[15:19], None)
        else:
            pk, code, name, postal_code, parent_id = row[5 * index : 5 * index + 5]
        values = [pk, level, code, name, parent_id, postal_code]
        chain.append(Area.from_db("default", _AREA_FIELDS, values))
    for child, parent in itertools.pairwise(chain):
        child.parent = parent
    return chain[0]


def kelurahan_for_point(*, point: Point) -> tuple[Area, dict[str, Any]]:
    """The one kelurahan that serves ``point`` (parents loaded), and how it was chosen.

    A covering polygon wins; among several covering ones the one the point lies deepest
    inside; with none covering, the nearest within ``ROUTING_NEAREST_MAX_M`` metres; farther,
    ``OutsideServiceArea``. Ties end on the code, so the answer is deterministic.
    """
    row, explanation = _routing_rows(point=point, category=None)
    return _kelurahan_from_row(row), explanation


def _routing_from_row(
    row: Sequence[Any], explanation: dict[str, Any], category: Category
) -> Routing:
    rule_id, rule_area, unit_level = row[_AREA_COLUMNS : _AREA_COLUMNS + 3]
    agency_values = row[_AREA_COLUMNS + 3 :]
    if agency_values[0] is None:  # the sector has no unit here at all
        agency = Agency.objects.get(code=settings.TRIAGE_AGENCY_CODE)
        explanation.update(rule="central_triage", sector=category.sector, fallback=True)
    else:
        agency = Agency.from_db("default", _AGENCY_FIELDS, list(agency_values))
        if rule_id is not None:
            explanation.update(rule="routing_rule", rule_id=rule_id, rule_area=rule_area)
        else:
            explanation.update(
                rule="sector_default",
                sector=category.sector,
                level=unit_level,
                fallback=unit_level != category.routing_level,
            )
    explanation["category"] = category.code
    return Routing(area=_kelurahan_from_row(row), agency=agency, explanation=explanation)


def route(*, point: Point, category: Category) -> Routing:
    """Which kelurahan serves ``point`` and which unit must handle ``category`` there.

    One query in the usual case (docs/routing.md). Raises ``OutsideServiceArea`` (422)
    beyond the service area.
    """
    row, explanation = _routing_rows(point=point, category=category)
    return _routing_from_row(row, explanation, category)


def route_for_kelurahan(
    *, kelurahan: Area, category: Category, explanation: dict[str, Any]
) -> Routing:
    """Route ``category`` in ``kelurahan`` as if the report were inside it (an address named
    the kelurahan: docs/open311.md). Same rules and statement as ``route``."""
    params: dict[str, Any] = {
        "area": kelurahan.pk,
        "category": category.pk,
        "sector": category.sector,
        "max_code_length": Area.CODE_LENGTH[Area.Level(category.routing_level)],
    }
    row = prepared_fetch(_BY_ID_SQL, params)[0]
    return _routing_from_row(row, {"area_code": row[1], **explanation}, category)


def route_to_triage(*, category: Category, explanation: dict[str, Any]) -> Routing:
    """No kelurahan is known (an address that names none): central triage confirms the
    location and hands the report on."""
    agency = Agency.objects.get(code=settings.TRIAGE_AGENCY_CODE)
    return Routing(
        area=None,
        agency=agency,
        explanation={
            **explanation,
            "match": "location_to_be_confirmed",
            "rule": "central_triage",
            "category": category.code,
        },
    )
