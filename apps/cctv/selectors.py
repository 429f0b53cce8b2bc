"""Reads of the cctv app: cameras, health, and the place-and-time match (docs/cctv.md).

``camera_matches`` is the one linking query: the cameras within a radius whose view sector
contains a point (all within their range when the heading is unknown), each with the clips
overlapping a time window, whether it was down at the time, and whether footage is missing.
It knows nothing of reports; ``apps.reports.evidence`` calls it.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from apps.cctv.models import Camera, Clip, ClipRequest, Vms
from apps.core.errors import NotFound
from apps.routing.models import Area


def camera_list() -> QuerySet[Camera]:
    return Camera.objects.select_related("kelurahan").order_by("code")


def camera_list_for_vms(*, vms: Vms) -> QuerySet[Camera]:
    return camera_list().filter(vms=vms)


def camera_get_for_vms(*, vms: Vms, code: str) -> Camera:
    """One of ``vms``'s own cameras; another VMS's camera is a 404 like a missing one."""
    camera = Camera.objects.filter(vms=vms, code=code).first()
    if camera is None:
        raise NotFound()
    return camera


def cameras_near(*, point: Point, radius_m: float) -> QuerySet[Camera]:
    return Camera.objects.filter(location__dwithin=(point, D(m=radius_m))).order_by("code")


def kota_list() -> QuerySet[Area]:
    return Area.objects.filter(level=Area.Level.KOTA).defer("boundary").order_by("code")


@dataclass(frozen=True)
class KotaOffline:
    kota: Area
    cameras: list[Camera]


def offline_cameras_by_kota() -> list[KotaOffline]:
    """Cameras not online now (offline or in maintenance), grouped by kota (two queries)."""
    kotas = {area.code: area for area in kota_list()}
    cameras = (
        Camera.objects.exclude(status=Camera.Status.ONLINE)
        .select_related("kelurahan")
        .defer("kelurahan__boundary")
        .order_by("kelurahan__code", "code")
    )

    def kota_code(camera: Camera) -> str:
        return camera.kelurahan.code[:5] if camera.kelurahan else ""

    groups: list[KotaOffline] = []
    for code, rows in groupby(sorted(cameras, key=kota_code), key=kota_code):
        kota = kotas.get(code) or Area(code=code or "-", name="-", level=Area.Level.KOTA)
        groups.append(KotaOffline(kota=kota, cameras=list(rows)))
    return groups


def clip_requests_open_for_vms(*, vms: Vms) -> QuerySet[ClipRequest]:
    return (
        ClipRequest.objects.filter(camera__vms=vms, fulfilled_at__isnull=True)
        .select_related("camera")
        .order_by("created_at", "pk")
    )


def clips_by_uid(*, uids: list[str]) -> QuerySet[Clip]:
    return Clip.objects.filter(uid__in=uids).select_related("camera", "camera__vms")


# ---- the place-and-time match --------------------------------------------------------------


@dataclass(frozen=True)
class ClipMatch:
    clip_id: int
    starts_at: datetime
    ends_at: datetime
    overlap_s: float  # seconds of the clip inside the window


@dataclass(frozen=True)
class CameraMatch:
    camera_id: int
    code: str
    distance_m: float
    bearing_deg: float | None  # from the camera to the point, clockwise from north
    reason: str  # "in_sector" or "in_range_heading_unknown"
    down_at_time: bool  # an outage covered the moment
    clips: list[ClipMatch] = field(default_factory=list)


REASON_IN_SECTOR = "in_sector"
REASON_IN_RANGE = "in_range_heading_unknown"

# One statement: cameras near the point (GiST on the geography), filtered by range and sector;
# for each, the clips overlapping the window through the (camera, starts_at) b-tree (a clip
# lasts at most CCTV_CLIP_MAX_DURATION, which bounds the scan); and whether an outage covered
# the moment. Angles: the smallest difference between bearing and heading, in degrees.
_MATCH_SQL = """
WITH p AS (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography AS g),
cam AS (
    SELECT c.id, c.code, c.heading, c.fov, c.range_m,
           ST_Distance(c.location, p.g) AS distance_m,
           degrees(ST_Azimuth(c.location, p.g)) AS bearing
    FROM cctv_camera c, p
    WHERE ST_DWithin(c.location, p.g, %(radius)s)
),
seen AS (
    SELECT cam.*,
           (cam.heading IS NULL OR cam.fov IS NULL OR cam.fov >= 360) AS heading_unknown
    FROM cam
    WHERE cam.distance_m <= cam.range_m
      AND (cam.heading IS NULL OR cam.fov IS NULL OR cam.fov >= 360
           OR cam.distance_m < 1
           OR abs(mod((cam.bearing - cam.heading)::numeric + 540, 360) - 180) <= cam.fov / 2)
)
SELECT seen.id, seen.code, seen.distance_m, seen.bearing, seen.heading_unknown,
       EXISTS (SELECT 1 FROM cctv_cameraoutage o
               WHERE o.camera_id = seen.id AND o.started_at <= %(at)s
                 AND (o.ended_at IS NULL OR o.ended_at > %(at)s)) AS down,
       clip.id, clip.starts_at, clip.ends_at,
       EXTRACT(EPOCH FROM LEAST(clip.ends_at, %(to)s) - GREATEST(clip.starts_at, %(from)s))
FROM seen
LEFT JOIN LATERAL (
    SELECT k.id, k.starts_at, k.ends_at FROM cctv_clip k
    WHERE k.camera_id = seen.id
      AND k.starts_at <= %(to)s AND k.starts_at >= %(earliest_start)s
      AND k.ends_at >= %(from)s
) clip ON true
ORDER BY seen.distance_m, seen.code, clip.starts_at
"""


def camera_matches(
    *,
    point: Point,
    at: datetime,
    radius_m: float | None = None,
    window: timedelta | None = None,
) -> list[CameraMatch]:
    """The cameras that could have seen ``point`` at ``at`` and their clips in ``at ± window``.

    Nearest camera first; clips in time order. Place and time only.
    """
    radius_m = settings.CCTV_LINK_RADIUS_M if radius_m is None else radius_m
    window = settings.CCTV_LINK_WINDOW if window is None else window
    params: dict[str, Any] = {
        "lon": point.x,
        "lat": point.y,
        "radius": radius_m,
        "at": at,
        "from": at - window,
        "to": at + window,
        "earliest_start": at - window - settings.CCTV_CLIP_MAX_DURATION,
    }
    with connection.cursor() as cursor:
        cursor.execute(_MATCH_SQL, params)
        rows = cursor.fetchall()
    matches: list[CameraMatch] = []
    for _camera_id, camera_rows in groupby(rows, key=lambda row: row[0]):
        chunk = list(camera_rows)
        first = chunk[0]
        matches.append(
            CameraMatch(
                camera_id=first[0],
                code=first[1],
                distance_m=round(float(first[2]), 1),
                bearing_deg=None if first[3] is None else round(float(first[3]), 1),
                reason=REASON_IN_RANGE if first[4] else REASON_IN_SECTOR,
                down_at_time=bool(first[5]),
                clips=[
                    ClipMatch(
                        clip_id=row[6],
                        starts_at=row[7],
                        ends_at=row[8],
                        overlap_s=round(float(row[9]), 1),
                    )
                    for row in chunk
                    if row[6] is not None
                ],
            )
        )
    return matches


def clip_is_playable(*, clip: Clip, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return clip.retain_until >= now or (clip.held_until is not None and clip.held_until >= now)
