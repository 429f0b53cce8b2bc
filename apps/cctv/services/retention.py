"""Evidence holds, retention, and reaching the media through the VMS's backend (docs/cctv.md).

A hold is the clip's ``held_until``, set by the tickets that link it (``apps.reports``); the
retention sweep deletes the clip records whose VMS retention and hold have both passed and
tells each VMS. Keep and release calls go through the outbox: a VMS that is down delays them.
"""

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.cctv import media
from apps.cctv.models import HOLD_INDEFINITE, Clip, Vms
from apps.core import outbox

KEEP_HANDLER = "apps.cctv.services.clip_media_keep"
RELEASE_HANDLER = "apps.cctv.services.clip_media_release"

_HOLDS_SQL = """
UPDATE cctv_clip c SET held_until = h.until
FROM unnest(%(ids)s::bigint[], %(until)s::timestamptz[]) AS h(id, until)
WHERE c.id = h.id AND c.held_until IS DISTINCT FROM h.until
RETURNING c.id, h.until
"""


def clip_holds_set(*, holds: dict[int, datetime | None]) -> int:
    """Set each clip's evidence hold (None releases it) and ask the VMS to keep the newly held
    media. One statement; returns how many clips changed. Only clips whose hold changed are
    touched, so the periodic refresh is cheap when nothing moved."""
    if not holds:
        return 0
    ids = sorted(holds)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_HOLDS_SQL, {"ids": ids, "until": [holds[i] for i in ids]})
            changed = cursor.fetchall()
        kept = sorted(row[0] for row in changed if row[1] is not None)
        if kept:
            outbox.enqueue(handler=KEEP_HANDLER, payload={"clip_ids": kept})
    return len(changed)


_HOLDS_REFRESH_SQL = """
WITH wanted(id, until) AS ({wanted})
UPDATE cctv_clip c SET held_until = w.until
FROM (SELECT id FROM cctv_clip WHERE held_until IS NOT NULL UNION SELECT id FROM wanted) AS t
LEFT JOIN wanted w ON w.id = t.id
WHERE c.id = t.id AND c.held_until IS DISTINCT FROM w.until
RETURNING c.id, w.until
"""


def clip_holds_refresh(*, wanted: QuerySet[Any, Any]) -> int:
    """Set every clip's evidence hold from ``wanted`` (a query of ``(clip id, hold until)``
    rows, as ``values_list``) and release the holds of clips it does not name, in ONE
    statement in the database; the newly held media is kept as in ``clip_holds_set``.
    Returns how many clips changed."""
    sql, params = wanted.query.sql_with_params()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_HOLDS_REFRESH_SQL.format(wanted=sql), params)
            changed = cursor.fetchall()
        kept = sorted(row[0] for row in changed if row[1] is not None)
        if kept:
            outbox.enqueue(handler=KEEP_HANDLER, payload={"clip_ids": kept})
    return len(changed)


def clip_media_keep(*, clip_ids: list[int]) -> None:
    """Outbox handler: ask each clip's VMS to keep its media while held."""
    clips = Clip.objects.filter(pk__in=clip_ids, held_until__isnull=False).select_related(
        "camera__vms"
    )
    by_vms: dict[int, list[Clip]] = defaultdict(list)
    systems: dict[int, Vms] = {}
    for clip in clips:
        if clip.camera.vms is not None:
            by_vms[clip.camera.vms.pk].append(clip)
            systems[clip.camera.vms.pk] = clip.camera.vms
    for vms_id, group in by_vms.items():
        until = max(clip.held_until for clip in group if clip.held_until)
        media.backend_for(systems[vms_id]).keep(
            clips=group, until=None if until >= HOLD_INDEFINITE else until
        )


def clip_media_release(*, vms_id: int, items: list[dict[str, str]]) -> None:
    """Outbox handler: tell the VMS that these (deleted) clip records are no longer needed."""
    vms = Vms.objects.filter(pk=vms_id).first()
    if vms is not None:
        media.backend_for(vms).release(items=items)


def clips_expire(*, now: datetime | None = None, batch: int = 5000) -> int:
    """Delete the clip records past the VMS's retention and not held; tell their VMSs.

    In batches, each one transaction; returns how many were deleted.
    """
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            expired = list(
                Clip.objects.filter(retain_until__lt=now)
                .exclude(held_until__gte=now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("camera")
                .only("pk", "uid", "storage_uri", "sha256", "camera__vms_id")
                .order_by("pk")[:batch]
            )
            if not expired:
                return total
            by_vms: dict[int, list[dict[str, str]]] = defaultdict(list)
            for clip in expired:
                if clip.camera.vms_id is not None:
                    by_vms[clip.camera.vms_id].append(
                        {
                            "uid": str(clip.uid),
                            "storage_uri": clip.storage_uri,
                            "sha256": clip.sha256,
                        }
                    )
            Clip.objects.filter(pk__in=[clip.pk for clip in expired]).delete()
            for vms_id, items in sorted(by_vms.items()):
                outbox.enqueue(handler=RELEASE_HANDLER, payload={"vms_id": vms_id, "items": items})
            total += len(expired)
        if len(expired) < batch:
            return total


def clip_signed_url(*, clip: Clip, kind: str = media.VIDEO) -> str:
    """A short-lived URL for the clip's video (or poster) from its VMS's backend.

    Callers check access and log the play first (``apps.reports.evidence``).
    """
    vms = clip.camera.vms
    if vms is None:
        raise media.CctvUnavailable()
    return media.backend_for(vms).signed_url(clip=clip, kind=kind, ttl=settings.CCTV_SIGNED_URL_TTL)
