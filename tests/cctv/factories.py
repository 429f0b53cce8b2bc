"""Helpers for the cctv tests: VMSs with known keys, fixture cameras handed to them, clips."""

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from apps.cctv.models import Camera, Vms
from apps.cctv.services import vms_register

# Cameras of the real fixture (fixtures/jakarta_cctv.geojson).
GAMBIR_038 = "streetside-1244"  # 106.829884, -6.17043, Kelurahan Gambir
GAMBIR_039 = "streetside-1245"  # 106.830001, -6.172837 (shared with Gambir 040)
GAMBIR_040 = "streetside-1246"
KAMPUNG_BALI = "streetside-1157"  # MP Gambir 002, 106.81799, -6.182516


def vms_with(*codes: str, code: str = "vms-a", key: str = "key-a") -> Vms:
    vms, _key = vms_register(code=code, name=code.upper(), key=key)
    Camera.objects.filter(code__in=codes).update(vms=vms)
    return vms


def sha(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def clip_item(
    camera: str,
    start: datetime | None = None,
    minutes: float = 5,
    seed: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    start = start or timezone.now() - timedelta(minutes=30)
    end = start + timedelta(minutes=minutes)
    item: dict[str, Any] = {
        "camera": camera,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "storage_uri": f"https://vms.example/clips/{camera}/{start:%Y%m%d%H%M%S}.mp4",
        "sha256": sha(seed or f"{camera}{start.isoformat()}"),
        "size": 123_456,
    }
    item.update(overrides)
    return item


def auth(key: str = "key-a") -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Api-Key {key}"}


def offset(point: Any, metres: float, bearing: float) -> Any:
    """The point ``metres`` away from ``point`` towards ``bearing`` (degrees from north)."""
    import math

    from django.contrib.gis.geos import Point

    dy = metres * math.cos(math.radians(bearing)) / 110_574
    dx = metres * math.sin(math.radians(bearing)) / (111_320 * math.cos(math.radians(point.y)))
    return Point(point.x + dx, point.y + dy, srid=4326)


def add_clip(camera: str, start: datetime, end: datetime, **overrides: Any) -> Any:
    """Ingest one clip for a fixture camera (handing it to a VMS first)."""
    from apps.cctv.services import clips_ingest

    cam = Camera.objects.select_related("vms").get(code=camera)
    vms = cam.vms or vms_with(camera, code=f"vms-{camera}", key=f"key-{camera}")
    item = clip_item(camera, start=start, minutes=(end - start).total_seconds() / 60, **overrides)
    result = clips_ingest(vms=vms, items=[item])
    assert result.items[0].status in (200, 201), result.items[0].error
    return result.items[0].clip


def set_sector(
    code: str, heading: float | None, fov: float | None = 60, range_m: int = 100
) -> Camera:
    Camera.objects.filter(code=code).update(heading=heading, fov=fov, range_m=range_m)
    return Camera.objects.get(code=code)


def online_since(code: str, since: datetime) -> Camera:
    """Arrange a camera that has been recording since ``since`` (its first outage ended)."""
    from apps.cctv.models import CameraOutage

    camera = Camera.objects.get(code=code)
    CameraOutage.objects.filter(camera=camera, ended_at__isnull=True).update(ended_at=since)
    Camera.objects.filter(pk=camera.pk).update(status="online", last_seen=timezone.now())
    return Camera.objects.get(pk=camera.pk)
