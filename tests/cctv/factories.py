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
