"""Writes about clips: the bulk ingest and clip requests (holds and retention: retention.py).

The ingest is set-based: every item is validated in Python (a bad one gets its own result and
nothing of it is stored), the cameras are resolved in one query, the clips inserted in one
``INSERT … ON CONFLICT DO NOTHING`` that also fulfils the open clip requests they cover, and
the duplicates read back in one more query.
"""

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from apps.cctv.errors import TooManyClips
from apps.cctv.models import Camera, Clip, ClipRequest, Vms
from apps.core import outbox
from apps.core.errors import ErrorCode

logger = logging.getLogger(__name__)

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
URI_MAX = 500
SIZE_MAX = 10**12
CLOCK_SKEW = timedelta(minutes=1)


@dataclass
class ItemResult:
    index: int
    status: int
    clip: Clip | None = None
    error: dict[str, Any] | None = None


@dataclass
class IngestResult:
    items: list[ItemResult] = field(default_factory=list)

    def count(self, status: int) -> int:
        return sum(1 for item in self.items if item.status == status)


class _Invalid(Exception):
    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields


def _error(code: str, message: Any, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"code": code, "message": str(message), "fields": fields or {}}


def uri_valid(value: Any) -> bool:
    if not isinstance(value, str) or not 0 < len(value) <= URI_MAX:
        return False
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in settings.CCTV_URI_SCHEMES and bool(parts.netloc) and bool(parts.path)


def _moment(value: Any, name: str, errors: dict[str, list[str]]) -> datetime | None:
    if not isinstance(value, str):
        errors[name] = [str(_("An ISO 8601 date and time with a time zone is required."))]
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None or timezone.is_naive(moment):
        errors[name] = [str(_("An ISO 8601 date and time with a time zone is required."))]
        return None
    return moment


@dataclass(frozen=True)
class _Valid:
    index: int
    camera: str
    starts_at: datetime
    ends_at: datetime
    storage_uri: str
    sha256: str
    size_bytes: int
    poster_uri: str
    retain_until: datetime


def _validate(index: int, item: Any, now: datetime) -> _Valid:
    if not isinstance(item, dict):
        raise _Invalid({"non_field_errors": [str(_("Each clip is a JSON object."))]})
    errors: dict[str, list[str]] = {}
    camera = item.get("camera")
    if not isinstance(camera, str) or not 0 < len(camera) <= 60:
        errors["camera"] = [str(_("A camera code is required."))]
    start = _moment(item.get("start"), "start", errors)
    end = _moment(item.get("end"), "end", errors)
    if start and end:
        if end <= start:
            errors["end"] = [str(_("The end must be after the start."))]
        elif end - start > settings.CCTV_CLIP_MAX_DURATION:
            errors["end"] = [str(_("A clip lasts at most one hour."))]
        if end > now + CLOCK_SKEW:
            errors["end"] = [str(_("Cannot be in the future."))]
    storage_uri = item.get("storage_uri")
    if not uri_valid(storage_uri):
        errors["storage_uri"] = [str(_("A URI such as https://host/path is required."))]
    sha256 = item.get("sha256")
    if not isinstance(sha256, str) or not SHA256_RE.match(sha256):
        errors["sha256"] = [str(_("64 lowercase hexadecimal characters."))]
    size = item.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= SIZE_MAX:
        errors["size"] = [str(_("A whole number of bytes."))]
    poster = item.get("poster_uri") or ""
    if poster and not uri_valid(poster):
        errors["poster_uri"] = [str(_("A URI such as https://host/path is required."))]
    retain_until = None
    if item.get("retain_until") is not None:
        retain_until = _moment(item.get("retain_until"), "retain_until", errors)
        if retain_until and start and retain_until <= start:
            errors["retain_until"] = [str(_("Must be after the start."))]
    if errors or start is None or end is None:
        raise _Invalid(errors)
    return _Valid(
        index=index,
        camera=str(camera),
        starts_at=start,
        ends_at=end,
        storage_uri=str(storage_uri),
        sha256=str(sha256),
        size_bytes=int(size),  # type: ignore[arg-type]  # checked above
        poster_uri=str(poster),
        retain_until=retain_until or end + settings.CCTV_CLIP_DEFAULT_RETENTION,
    )


# Insert the new clips (the duplicates insert nothing) and fulfil the open requests whose
# window they overlap, in one statement; the requesters' refs come back with the new ids.
_INSERT_SQL = """
WITH incoming AS (
    SELECT * FROM unnest(
        %(camera)s::bigint[], %(starts)s::timestamptz[], %(ends)s::timestamptz[],
        %(uri)s::text[], %(sha)s::text[], %(size)s::bigint[], %(poster)s::text[],
        %(retain)s::timestamptz[]
    ) AS t(camera_id, starts_at, ends_at, storage_uri, sha256, size_bytes, poster_uri,
           retain_until)
),
inserted AS (
    INSERT INTO cctv_clip (uid, camera_id, starts_at, ends_at, storage_uri, sha256, size_bytes,
                           poster_uri, retain_until, created_at)
    SELECT gen_random_uuid(), camera_id, starts_at, ends_at, storage_uri, sha256, size_bytes,
           poster_uri, retain_until, %(now)s
    FROM incoming
    ON CONFLICT ON CONSTRAINT clip_once_per_camera_start_sha DO NOTHING
    RETURNING id, uid, camera_id, starts_at, ends_at, storage_uri, sha256, size_bytes,
              poster_uri, retain_until, held_until, created_at
),
fulfilled AS (
    UPDATE cctv_cliprequest r SET fulfilled_at = %(now)s
    FROM inserted k
    WHERE r.fulfilled_at IS NULL AND r.camera_id = k.camera_id
      AND k.starts_at <= r.ends_at AND k.ends_at >= r.starts_at
    RETURNING r.ref
)
SELECT NULL::text AS ref, inserted.* FROM inserted
UNION ALL
SELECT DISTINCT ref, NULL::bigint, NULL::uuid, NULL::bigint, NULL::timestamptz,
       NULL::timestamptz, NULL, NULL, NULL::bigint, NULL, NULL::timestamptz, NULL::timestamptz,
       NULL::timestamptz
FROM fulfilled
"""
_CLIP_COLUMNS = [
    "id",
    "uid",
    "camera_id",
    "starts_at",
    "ends_at",
    "storage_uri",
    "sha256",
    "size_bytes",
    "poster_uri",
    "retain_until",
    "held_until",
    "created_at",
]


def clips_ingest(*, vms: Vms, items: Sequence[Any], now: datetime | None = None) -> IngestResult:
    """Store the clip references ``vms`` sends, each with its own result (201 created, 200
    duplicate, 400 invalid, 404 unknown camera or another VMS's), idempotent by
    (camera, start, sha256)."""
    if not 1 <= len(items) <= settings.CCTV_INGEST_MAX_CLIPS:
        raise TooManyClips()
    now = now or timezone.now()
    results: dict[int, ItemResult] = {}
    valid: list[_Valid] = []
    for index, item in enumerate(items):
        try:
            valid.append(_validate(index, item, now))
        except _Invalid as exc:
            results[index] = ItemResult(
                index, 400, error=_error(ErrorCode.INVALID, ErrorCode.INVALID.label, exc.fields)
            )
    cameras = dict(
        Camera.objects.filter(vms=vms, code__in={v.camera for v in valid}).values_list("code", "pk")
    )
    known = []
    for v in valid:
        if v.camera in cameras:
            known.append(v)
        else:
            results[v.index] = ItemResult(
                v.index, 404, error=_error(ErrorCode.NOT_FOUND, _("No such camera."))
            )
    if known:
        _store(known=known, cameras=cameras, results=results, now=now)
    return IngestResult(items=[results[index] for index in range(len(items))])


def _store(
    *, known: list[_Valid], cameras: dict[str, int], results: dict[int, ItemResult], now: datetime
) -> None:
    params: dict[str, Any] = {
        "camera": [cameras[v.camera] for v in known],
        "starts": [v.starts_at for v in known],
        "ends": [v.ends_at for v in known],
        "uri": [v.storage_uri for v in known],
        "sha": [v.sha256 for v in known],
        "size": [v.size_bytes for v in known],
        "poster": [v.poster_uri for v in known],
        "retain": [v.retain_until for v in known],
        "now": now,
    }
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_INSERT_SQL, params)
            rows = cursor.fetchall()
        new = [Clip.from_db("default", _CLIP_COLUMNS, row[1:]) for row in rows if row[0] is None]
        refs = sorted(row[0] for row in rows if row[0] is not None)
        if refs:
            outbox.enqueue(handler=settings.CCTV_CLIP_ARRIVED_HANDLER, payload={"refs": refs})
    # The new clips come back from the insert itself; only the duplicates are read.
    stored = {(clip.camera_id, clip.starts_at, clip.sha256): clip for clip in new}
    created_keys = set(stored)
    missing = {(cameras[v.camera], v.starts_at, v.sha256) for v in known} - created_keys
    if missing:
        for clip in _clips_by_keys(missing):
            stored[(clip.camera_id, clip.starts_at, clip.sha256)] = clip
    claimed: set[tuple[int, datetime, str]] = set()
    for v in known:
        key = (cameras[v.camera], v.starts_at, v.sha256)
        created = key in created_keys and key not in claimed
        claimed.add(key)
        results[v.index] = ItemResult(v.index, 201 if created else 200, clip=stored[key])


def _clips_by_keys(keys: Iterable[tuple[int, datetime, str]]) -> list[Clip]:
    cameras, starts, shas = zip(*keys, strict=True)
    return list(
        Clip.objects.raw(
            """
            SELECT c.* FROM cctv_clip c
            JOIN unnest(%s::bigint[], %s::timestamptz[], %s::text[]) AS k(camera_id, starts_at,
                 sha256)
              ON c.camera_id = k.camera_id AND c.starts_at = k.starts_at AND c.sha256 = k.sha256
            """,
            [list(cameras), list(starts), list(shas)],
        )
    )


# ---- clip requests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Wanted:
    camera_id: int
    starts_at: datetime
    ends_at: datetime


@transaction.atomic
def clip_requests_replace(*, ref: str, wanted: Sequence[Wanted]) -> int:
    """Make ``ref``'s open clip requests exactly ``wanted`` (fulfilled ones stay as history).

    Returns how many are open now. Idempotent: the same call twice changes nothing.
    """
    keep = {(w.camera_id, w.starts_at, w.ends_at) for w in wanted}
    open_requests = ClipRequest.objects.filter(ref=ref, fulfilled_at__isnull=True)
    stale = [r.pk for r in open_requests if (r.camera_id, r.starts_at, r.ends_at) not in keep]
    ClipRequest.objects.filter(pk__in=stale).delete()
    ClipRequest.objects.bulk_create(
        [ClipRequest(camera_id=c, ref=ref, starts_at=s, ends_at=e) for c, s, e in sorted(keep)],
        ignore_conflicts=True,
    )
    return ClipRequest.objects.filter(ref=ref, fulfilled_at__isnull=True).count()
