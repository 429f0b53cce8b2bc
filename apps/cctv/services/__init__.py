"""Every write of the cctv app (docs/conventions.md C2), re-exported from topic modules."""

from apps.cctv.services.cameras import (
    CameraImportResult,
    camera_health_sweep,
    camera_heartbeat,
    camera_update,
    cameras_derive_kelurahan,
    cameras_import,
)
from apps.cctv.services.vms import key_hash, vms_register

__all__ = [
    "CameraImportResult",
    "camera_health_sweep",
    "camera_heartbeat",
    "camera_update",
    "cameras_derive_kelurahan",
    "cameras_import",
    "key_hash",
    "vms_register",
]
