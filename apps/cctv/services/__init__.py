"""Every write of the cctv app (docs/conventions.md C2), re-exported from topic modules."""

from apps.cctv.services.cameras import (
    CameraImportResult,
    camera_health_sweep,
    camera_heartbeat,
    camera_update,
    cameras_derive_kelurahan,
    cameras_import,
)
from apps.cctv.services.clips import (
    IngestResult,
    ItemResult,
    Wanted,
    clip_requests_replace,
    clips_ingest,
    uri_valid,
)
from apps.cctv.services.retention import (
    clip_holds_refresh,
    clip_holds_set,
    clip_media_keep,
    clip_media_release,
    clip_signed_url,
    clips_expire,
)
from apps.cctv.services.vms import key_hash, vms_assign_cameras, vms_register

__all__ = [
    "CameraImportResult",
    "IngestResult",
    "ItemResult",
    "Wanted",
    "camera_health_sweep",
    "camera_heartbeat",
    "camera_update",
    "cameras_derive_kelurahan",
    "cameras_import",
    "clip_holds_refresh",
    "clip_holds_set",
    "clip_media_keep",
    "clip_media_release",
    "clip_requests_replace",
    "clip_signed_url",
    "clips_expire",
    "clips_ingest",
    "key_hash",
    "uri_valid",
    "vms_assign_cameras",
    "vms_register",
]
