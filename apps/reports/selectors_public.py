"""Reads behind the public interfaces: the map feed, nearby duplicates, Open311.

Everything here starts from ``report_list_public_detailed()``: public, not merged into
another report. Nothing here loads the reporter; callers must never print reporter, photo
EXIF or routing internals (docs/open311.md, "Privacy").
"""

import math
from datetime import timedelta

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point, Polygon
from django.contrib.gis.measure import D
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.reports.models import DEADLINE, Report, ReportPhoto
from apps.reports.selectors import deadline_expression

# The public map: at most this many features per response, over at most this many square
# degrees (all of DKI Jakarta, Kepulauan Seribu included, is about 0.94).
PUBLIC_FEED_MAX_FEATURES = 1000
PUBLIC_FEED_MAX_BBOX_AREA_DEG2 = 1.0

# Duplicate check before submitting (docs/architecture.md, section 4).
NEARBY_RADIUS_M = 250
NEARBY_MAX_AGE = timedelta(days=30)
NEARBY_MAX_RESULTS = 50

BBox = tuple[float, float, float, float]


class InvalidBBox(ValueError):
    pass


def bbox_validate(*, bbox: BBox) -> BBox:
    """Refuse a bbox that is not 4 finite numbers, min < max, in range, not too large."""
    if len(bbox) != 4 or not all(math.isfinite(v) for v in bbox):
        raise InvalidBBox(_("bbox must be four finite numbers: min_lon,min_lat,max_lon,max_lat."))
    min_lon, min_lat, max_lon, max_lat = bbox
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise InvalidBBox(_("bbox longitudes must be between -180 and 180."))
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise InvalidBBox(_("bbox latitudes must be between -90 and 90."))
    if not (min_lon < max_lon and min_lat < max_lat):
        raise InvalidBBox(_("bbox minimums must be smaller than its maximums."))
    if (max_lon - min_lon) * (max_lat - min_lat) > PUBLIC_FEED_MAX_BBOX_AREA_DEG2:
        raise InvalidBBox(
            _("bbox covers more than %(area)s square degrees; zoom in.")
            % {"area": f"{PUBLIC_FEED_MAX_BBOX_AREA_DEG2:g}"}
        )
    return bbox


def report_list_public_detailed() -> QuerySet[Report]:
    """Public, unmerged reports with what the public outputs print, in one query.

    ``has_photo`` says whether a public thumbnail exists (the first photo).
    """
    return (
        Report.objects.filter(is_public=True, parent__isnull=True)
        .select_related("category", "agency", "area__parent__parent")
        .defer(
            "area__boundary",
            "area__parent__boundary",
            "area__parent__parent__boundary",
            "routing_explanation",
        )
        .annotate(
            has_photo=Exists(ReportPhoto.objects.filter(report=OuterRef("pk"))),
            **{DEADLINE: deadline_expression()},
        )
        .order_by("-created_at", "-pk")
    )


def report_list_public_in_bbox(*, bbox: BBox, category_code: str | None = None) -> QuerySet[Report]:
    """Public reports whose location lies in ``bbox`` (validated with ``bbox_validate``).

    The box is a geography polygon (GiST index); at map scale its geodesic edges are
    indistinguishable from lines of constant latitude.
    """
    bbox_validate(bbox=bbox)
    # Only reported points: a kelurahan's stand-in point is not where the problem is.
    reports = report_list_public_detailed().filter(
        location__intersects=Polygon.from_bbox(bbox),
        location_precision=Report.LocationPrecision.EXACT,
    )
    if category_code:
        reports = reports.filter(category__code=category_code)
    return reports


def report_list_nearby(
    *,
    point: Point,
    category_code: str,
    radius_m: int = NEARBY_RADIUS_M,
    max_age: timedelta = NEARBY_MAX_AGE,
) -> QuerySet[Report]:
    """Open public reports of the category within ``radius_m`` of ``point`` and younger than
    ``max_age``, nearest first, annotated with ``distance`` (metres). One query; an unknown
    category matches nothing.
    """
    return (
        Report.objects.filter(
            is_public=True,
            parent__isnull=True,
            status__in=Report.OPEN_STATUSES,
            category__code=category_code,
            category__is_active=True,
            created_at__gte=timezone.now() - max_age,
            location__dwithin=(point, D(m=radius_m)),
            location_precision=Report.LocationPrecision.EXACT,
        )
        .select_related("category")
        .annotate(distance=Distance("location", point))
        .order_by("distance", "pk")[:NEARBY_MAX_RESULTS]
    )


def report_photo_get_public_thumbnail(*, public_id: str) -> ReportPhoto | None:
    """The first photo of a public, unmerged report, or None."""
    return (
        ReportPhoto.objects.filter(
            report__public_id=public_id, report__is_public=True, report__parent__isnull=True
        )
        .only("pk", "thumbnail", "index")
        .order_by("index")
        .first()
    )


def report_public_address(*, report: Report) -> str:
    """The reporter's address hint, else "Kelurahan X, Kecamatan Y, <kota>" from the area
    (a report without either, filed by an address id alone: "location to be confirmed")."""
    if report.address_hint.strip():
        return report.address_hint.strip()
    kelurahan = report.area
    if kelurahan is None:
        return str(Report.LocationPrecision.UNKNOWN.label)
    kecamatan = kelurahan.parent
    kota = kecamatan.parent if kecamatan is not None else None
    parts = [f"Kelurahan {kelurahan.name}"]
    if kecamatan is not None:
        parts.append(f"Kecamatan {kecamatan.name}")
    if kota is not None:
        parts.append(kota.name)  # "Kota Administrasi …" / "Kabupaten Administrasi …"
    return ", ".join(parts)


def report_is_open(*, report: Report) -> bool:
    return report.status in Report.OPEN_STATUSES
