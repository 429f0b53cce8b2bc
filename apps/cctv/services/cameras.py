"""Writes about cameras: the fixture import, officer edits, heartbeats and the health sweep."""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.cctv.models import NEVER_SEEN_SINCE, Camera, CameraOutage, Vms
from apps.core.db import run_or_roll_back
from apps.core.errors import ApplicationError

ATTRIBUTION = (
    "Camera directory by Streetside Jakarta (streetside.mugnimaestra.dev), CC BY 4.0; "
    "aggregation: Jakarta CCTV Map (github.com/said-rasidin/jakarta-cctv-map), CC BY 4.0"
)
# Flags the fixture sets on records whose coordinates or names may be wrong (fixtures/README.md).
DOUBTFUL_FLAGS = frozenset(
    {"sibling_far", "coords_shared_with_other_site", "kota_mismatch", "name_kelurahan_far"}
)


@dataclass
class CameraImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    without_kelurahan: int = 0
    warnings: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _read(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValueError(f"{path} is not a GeoJSON FeatureCollection")
    features = data.get("features") or []
    for index, feature in enumerate(features):
        if not isinstance(feature, dict):
            raise ValueError(f"feature {index} is not an object")
        props = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        if not props.get("id") or not props.get("name"):
            raise ValueError(f"feature {index} lacks an id or a name")
        if geometry.get("type") != "Point" or len(geometry.get("coordinates") or []) < 2:
            raise ValueError(f"feature {index} ({props['id']}) is not a point")
    return features


def _camera_fields(feature: dict[str, Any]) -> dict[str, Any]:
    props = feature["properties"]
    lon, lat = (float(v) for v in feature["geometry"]["coordinates"][:2])
    address = props.get("address") or props.get("source_district_raw") or ""
    return {
        "name": str(props["name"])[:200],
        "location": Point(lon, lat, srid=4326),
        "address": str(address)[:300],
        "source": str(props.get("catalog_source") or "")[:60],
        "source_url": str(props.get("source_url") or "")[:300],
        "attribution": ATTRIBUTION,
        "qa_flags": sorted(str(flag) for flag in props.get("qa_flags") or []),
    }


def cameras_import(
    *,
    path: Path,
    commit: bool,
    progress: Callable[[Iterable[Any]], Iterable[Any]] = lambda it: it,
) -> CameraImportResult:
    """Upsert the cameras of a GeoJSON file by their source id (``code``).

    Idempotent: a second run changes nothing. Officer-set fields (heading, field of view,
    range, owner, VMS, status) are never overwritten. New cameras start offline with an open
    outage (nothing has vouched for them yet). Records the data flags as doubtful are
    imported and reported as warnings. Without ``commit`` the work is rolled back.
    """
    features = _read(path)
    result = CameraImportResult()
    result.committed = run_or_roll_back(
        lambda: _import(features=features, result=result, progress=progress), commit=commit
    )
    return result


def _import(
    *,
    features: list[dict[str, Any]],
    result: CameraImportResult,
    progress: Callable[[Iterable[Any]], Iterable[Any]],
) -> None:
    existing = {camera.code: camera for camera in Camera.objects.all()}
    seen: set[str] = set()
    to_create: list[Camera] = []
    to_update: list[Camera] = []
    compared = ("name", "address", "source", "source_url", "attribution", "qa_flags")
    for feature in progress(features):
        code = str(feature["properties"]["id"])[:60]
        if code in seen:
            result.warnings.append(f"{code}: duplicate id in the file, later record skipped")
            continue
        seen.add(code)
        values = _camera_fields(feature)
        doubtful = sorted(set(values["qa_flags"]) & DOUBTFUL_FLAGS)
        if doubtful:
            result.warnings.append(f"{code} ({values['name']}): doubtful record: {doubtful}")
        camera = existing.get(code)
        if camera is None:
            to_create.append(Camera(code=code, **values))
            continue
        moved = not camera.location.equals_exact(values["location"], tolerance=1e-9)
        if moved or any(getattr(camera, name) != values[name] for name in compared):
            for name, value in values.items():
                setattr(camera, name, value)
            to_update.append(camera)
        else:
            result.unchanged += 1
    created = Camera.objects.bulk_create(to_create, batch_size=500)
    CameraOutage.objects.bulk_create(
        [CameraOutage(camera=camera, started_at=NEVER_SEEN_SINCE) for camera in created],
        batch_size=500,
    )
    Camera.objects.bulk_update(
        to_update,
        [
            "name",
            "location",
            "address",
            "source",
            "source_url",
            "attribution",
            "qa_flags",
            "updated_at",
        ],
        batch_size=500,
    )
    result.created, result.updated = len(created), len(to_update)
    changed = [camera.pk for camera in [*created, *to_update]]
    if changed:
        cameras_derive_kelurahan(camera_ids=changed)
    result.without_kelurahan = Camera.objects.filter(code__in=seen, kelurahan__isnull=True).count()


# The routing rule (docs/routing.md) for many points in one statement: the covering
# kelurahan the point lies deepest inside (ties on the code), else the nearest one within
# ROUTING_NEAREST_MAX_M; farther away, none.
_DERIVE_KELURAHAN_SQL = """
UPDATE cctv_camera cam SET kelurahan_id = pick.area_id
FROM (
    SELECT c.id AS camera_id, COALESCE(
        (SELECT a.id FROM routing_area a
         WHERE a.level = 'kelurahan' AND ST_Covers(a.boundary, c.location::geometry)
         ORDER BY ST_Distance(ST_Boundary(a.boundary)::geography, c.location) DESC, a.code
         LIMIT 1),
        (SELECT a.id FROM routing_area a
         WHERE a.level = 'kelurahan'
           AND ST_DWithin(a.boundary::geography, c.location, %(nearest_m)s)
         ORDER BY ST_Distance(a.boundary::geography, c.location), a.code
         LIMIT 1)
    ) AS area_id
    FROM cctv_camera c
    WHERE c.id = ANY(%(ids)s)
) pick
WHERE cam.id = pick.camera_id AND cam.kelurahan_id IS DISTINCT FROM pick.area_id
"""


def cameras_derive_kelurahan(*, camera_ids: list[int]) -> int:
    """Set the kelurahan of these cameras by the routing rule, in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            _DERIVE_KELURAHAN_SQL,
            {"ids": camera_ids, "nearest_m": settings.ROUTING_NEAREST_MAX_M},
        )
        return cursor.rowcount


def _check_sector(*, heading: float | None, fov: float | None, range_m: int) -> None:
    errors: dict[str, list[str]] = {}
    if heading is not None and not 0 <= heading < 360:
        errors["heading"] = [str(_("Between 0 and 360 degrees (exclusive)."))]
    if fov is not None and not 0 < fov <= 360:
        errors["fov"] = [str(_("Between 0 (exclusive) and 360 degrees."))]
    if not 1 <= range_m <= 1000:
        errors["range_m"] = [str(_("Between 1 and 1000 metres."))]
    if errors:
        raise ApplicationError(fields=errors)


@transaction.atomic
def camera_update(
    *,
    camera: Camera,
    name: str,
    heading: float | None,
    fov: float | None,
    range_m: int,
    owner: str,
    vms: Vms | None,
    maintenance: bool,
) -> Camera:
    """An officer's edit: the view sector, owner, VMS and maintenance mode."""
    _check_sector(heading=heading, fov=fov, range_m=range_m)
    camera = Camera.objects.select_for_update(no_key=True).get(pk=camera.pk)
    camera.name, camera.heading, camera.fov, camera.range_m = name, heading, fov, range_m
    camera.owner, camera.vms = owner, vms
    now = timezone.now()
    if maintenance and camera.status != Camera.Status.MAINTENANCE:
        _status_set(camera=camera, status=Camera.Status.MAINTENANCE, at=now)
    elif not maintenance and camera.status == Camera.Status.MAINTENANCE:
        _status_set(camera=camera, status=Camera.Status.OFFLINE, at=now)
    camera.save(
        update_fields=["name", "heading", "fov", "range_m", "owner", "vms", "status", "updated_at"]
    )
    return camera


def _status_set(*, camera: Camera, status: str, at: datetime) -> None:
    """Change ``camera.status`` (caller saves) and keep the outage periods in line."""
    if status == camera.status:
        return
    if status == Camera.Status.ONLINE:
        CameraOutage.objects.filter(camera=camera, ended_at__isnull=True).update(ended_at=at)
    else:
        open_outage = CameraOutage.objects.filter(camera=camera, ended_at__isnull=True).first()
        if open_outage is None:
            CameraOutage.objects.create(camera=camera, status=status, started_at=at)
        elif open_outage.status != status:
            CameraOutage.objects.filter(pk=open_outage.pk).update(status=status)
    camera.status = status


@transaction.atomic
def camera_heartbeat(*, camera: Camera, status: str, at: datetime | None = None) -> Camera:
    """The VMS says the camera is ``status`` now (``last_seen`` moves on)."""
    if status not in Camera.Status.values:
        raise ApplicationError(fields={"status": [str(_("Unknown status."))]})
    now = timezone.now()
    camera = Camera.objects.select_for_update(no_key=True).get(pk=camera.pk)
    _status_set(camera=camera, status=status, at=now)
    camera.last_seen = now if at is None else min(at, now)
    camera.save(update_fields=["status", "last_seen", "updated_at"])
    return camera


_HEALTH_SWEEP_SQL = """
WITH gone AS (
    UPDATE cctv_camera SET status = 'offline', updated_at = %(now)s
    WHERE status = 'online' AND (last_seen IS NULL OR last_seen < %(cutoff)s)
    RETURNING id, last_seen
)
INSERT INTO cctv_cameraoutage (camera_id, status, started_at)
SELECT id, 'offline', COALESCE(last_seen, %(now)s) FROM gone
ON CONFLICT DO NOTHING
"""


def camera_health_sweep(*, now: datetime | None = None) -> int:
    """Online cameras without a heartbeat for ``CCTV_HEARTBEAT_TIMEOUT`` go offline, their
    outage starting at the last heartbeat. One statement; returns how many went offline."""
    now = now or timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _HEALTH_SWEEP_SQL, {"now": now, "cutoff": now - settings.CCTV_HEARTBEAT_TIMEOUT}
        )
        return cursor.rowcount
