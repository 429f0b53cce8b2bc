"""Area freezes: a manager pauses every clock inside a polygon for a period (docs/sla.md)."""

import json
import logging
import math
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Polygon
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import User
from apps.accounts.selectors import user_is_manager
from apps.core.errors import ApplicationError, Forbidden
from apps.core.text import text_clean
from apps.reports.models import Report
from apps.routing.models import Area
from apps.routing.services import PROVINCE_CODE
from apps.sla.models import AreaFreeze, SlaClock

logger = logging.getLogger(__name__)

AREA_FREEZE_MAX_VERTICES = 5000
# Jakarta with the Thousand Islands spans about 0.8 degrees of longitude and 1.3 of latitude:
# a larger extent cannot lie inside it, and is refused before PostGIS measures it (a
# whole-world polygon has antipodal edges that geography functions reject).
AREA_FREEZE_MAX_SPAN_DEGREES = 2.0
AREA_FREEZE_MAX_DAYS = 31
# A freeze may start a little in the past (the flood began this morning), not rewrite history.
AREA_FREEZE_MAX_BACKDATE = timedelta(hours=24)
# Share of the polygon's area allowed outside the province boundary (drawing slop on edges).
OUTSIDE_TOLERANCE = 0.005
REASON_MAX = 1000
NOT_TWO_DIMENSIONAL = gettext_lazy(
    "Each position must be [lon, lat]: a height or any third value is not accepted."
)
NOT_LON_LAT = gettext_lazy(
    "Each position must be a longitude and a latitude in degrees (SRID 4326), in that order."
)


class AreaFreezeInvalid(ApplicationError):
    code = "area_freeze_invalid"
    status = 400
    default_message = _("The area freeze is invalid.")


def _refuse(field: str, message: str) -> AreaFreezeInvalid:
    return AreaFreezeInvalid(message, fields={field: [message]})


def _positions(coordinates: Any, depth: int) -> Iterator[Any]:
    """The positions of a coordinate array nested ``depth`` lists deep (a Polygon's are 2,
    a MultiPolygon's 3). Arrays of the wrong shape are left to the GeoJSON reader."""
    if depth == 0:
        yield coordinates
    elif isinstance(coordinates, list):
        for item in coordinates:
            yield from _positions(item, depth - 1)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_positions(geojson: dict[str, Any]) -> None:
    """Every position is ``[lon, lat]`` in degrees: two finite numbers within range.

    A third value (a height) or a fourth is refused rather than dropped: the area is a 2-D
    boundary and the column stores two coordinates per vertex (docs/sla.md).
    """
    depth = 2 if geojson["type"] == "Polygon" else 3
    for position in _positions(geojson.get("coordinates"), depth):
        if not isinstance(position, list):
            continue  # not a position at all: the GeoJSON reader names the problem
        if len(position) > 2:
            raise _refuse("area", str(NOT_TWO_DIMENSIONAL))
        if (
            len(position) == 2
            and all(_is_number(v) for v in position)
            and not (
                all(math.isfinite(v) for v in position)
                and -180 <= position[0] <= 180
                and -90 <= position[1] <= 90
            )
        ):
            raise _refuse("area", str(NOT_LON_LAT))


def area_freeze_geometry(*, geojson: Any) -> MultiPolygon:
    """A GeoJSON Polygon or MultiPolygon (SRID 4326) as a valid 2-D ``MultiPolygon``, else 400."""
    if isinstance(geojson, str):
        try:
            geojson = json.loads(geojson)
        except ValueError as exc:
            raise _refuse("area", _("The area is not valid GeoJSON.")) from exc
    if not isinstance(geojson, dict) or geojson.get("type") not in ("Polygon", "MultiPolygon"):
        raise _refuse("area", _("The area must be a GeoJSON Polygon or MultiPolygon."))
    _check_positions(geojson)
    try:
        geometry = GEOSGeometry(json.dumps(geojson), srid=4326)
    except (GEOSException, GDALException, ValueError, TypeError) as exc:
        raise _refuse("area", _("The area is not valid GeoJSON.")) from exc
    if geometry.empty:
        raise _refuse("area", _("The area is empty."))
    if geometry.hasz:  # _check_positions refuses 3-D positions; this guards the column
        raise _refuse("area", str(NOT_TWO_DIMENSIONAL))
    if geometry.num_coords > AREA_FREEZE_MAX_VERTICES:
        raise _refuse(
            "area",
            _("The area has %(n)s vertices; at most %(max)s are allowed.")
            % {"n": geometry.num_coords, "max": AREA_FREEZE_MAX_VERTICES},
        )
    if not geometry.valid:
        raise _refuse(
            "area",
            _("The area is not a valid polygon (%(reason)s).") % {"reason": geometry.valid_reason},
        )
    xmin, ymin, xmax, ymax = geometry.extent
    if max(xmax - xmin, ymax - ymin) > AREA_FREEZE_MAX_SPAN_DEGREES:
        raise _refuse(
            "area",
            _("The area is too large: at most %(deg)s degrees across, inside DKI Jakarta.")
            % {"deg": AREA_FREEZE_MAX_SPAN_DEGREES},
        )
    if isinstance(geometry, Polygon):
        geometry = MultiPolygon(geometry, srid=4326)
    if not isinstance(geometry, MultiPolygon):  # pragma: no cover - the type was checked
        raise _refuse("area", _("The area must be a GeoJSON Polygon or MultiPolygon."))
    return geometry


def _inside_jakarta(geometry: MultiPolygon) -> bool:
    """Covered by the province boundary (Area ``31``), up to a sliver of drawing slop.

    The share outside is a ratio of planar areas (degrees², both at Jakarta's latitude),
    which no shape can make PostGIS refuse; the extent was bounded before."""
    sql = f"""
        SELECT ST_CoveredBy(g, a.boundary)
               OR ST_Area(ST_Difference(g, a.boundary)) <= %(tolerance)s * ST_Area(g)
        FROM {Area._meta.db_table} a,
             LATERAL (SELECT ST_GeomFromEWKB(%(geom)s) AS g) AS input
        WHERE a.code = %(province)s
    """  # noqa: S608 - the table name comes from our model; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "geom": bytes(geometry.ewkb),
                "province": PROVINCE_CODE,
                "tolerance": OUTSIDE_TOLERANCE,
            },
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _check_period(*, starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise _refuse("starts_at", _("Give the period with a time zone."))
    if ends_at <= starts_at:
        raise _refuse("ends_at", _("The freeze must end after it starts."))
    if ends_at <= now:
        raise _refuse("ends_at", _("This period is in the past: a freeze must end in the future."))
    if starts_at < now - AREA_FREEZE_MAX_BACKDATE:
        raise _refuse(
            "starts_at",
            _("A freeze may start at most %(hours)s hours in the past.")
            % {"hours": int(AREA_FREEZE_MAX_BACKDATE.total_seconds() // 3600)},
        )
    if ends_at - starts_at > timedelta(days=AREA_FREEZE_MAX_DAYS):
        raise _refuse(
            "ends_at",
            _("A freeze lasts at most %(days)s days.") % {"days": AREA_FREEZE_MAX_DAYS},
        )


def area_freeze_allowed(*, user: User) -> bool:
    """Active staff in the manager group (the admin form and the API ask this too)."""
    return user_is_manager(user=user)


MARK_SQL = """
    UPDATE {clock} c SET events_seen_id = -1
    FROM {report} r, {freeze} f
    WHERE f.id = %(freeze)s AND r.id = c.report_id
      AND r.created_at < f.ends_at
      AND c.state <> 'merged'
      AND (c.state <> 'stopped' OR c.stopped_at > f.starts_at)
      AND ST_Covers(f.area::geography, r.location)
"""


@transaction.atomic
def area_freeze_create(
    *,
    actor: User,
    geojson: Any,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    now: datetime | None = None,
) -> AreaFreeze:
    """Pause every clock of the reports located inside the polygon for the period.

    Managers only (403). Refused with 400: not a (valid) Polygon/MultiPolygon, too many
    vertices, outside Jakarta, a period that ends before it starts or in the past, starts
    more than a day ago or lasts more than 31 days, an empty reason. The affected clocks are
    marked for recomputation; the next sweep (before it looks for breaches) recomputes them
    with the period as an extra pause.
    """
    now = now or timezone.now()
    if not area_freeze_allowed(user=actor):
        raise Forbidden(_("Only managers may freeze an area."))
    reason = text_clean(value=reason, field="reason", max_length=REASON_MAX)
    geometry = area_freeze_geometry(geojson=geojson)
    _check_period(starts_at=starts_at, ends_at=ends_at, now=now)
    if not _inside_jakarta(geometry):
        raise _refuse("area", _("The area lies (partly) outside DKI Jakarta."))
    freeze = AreaFreeze.objects.create(
        area=geometry,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        vertex_count=geometry.num_coords,
        created_by=actor,
        created_at=now,
    )
    tables = {
        "clock": SlaClock._meta.db_table,
        "report": Report._meta.db_table,
        "freeze": AreaFreeze._meta.db_table,
    }
    with connection.cursor() as cursor:
        cursor.execute(MARK_SQL.format(**tables), {"freeze": freeze.pk})
        freeze.clocks_affected = int(cursor.rowcount)
    freeze.save(update_fields=["clocks_affected"])
    logger.info(
        "area freeze %s by %s: %s - %s, %s clocks",
        freeze.pk,
        actor.username,
        starts_at.isoformat(),
        ends_at.isoformat(),
        freeze.clocks_affected,
    )
    return freeze
