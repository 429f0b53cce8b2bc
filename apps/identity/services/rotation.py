"""Key rotation: re-wrap data keys under the newest master key; backfill a new index version.

Both work in committed batches in primary-key order, skip what is already done, and can be
stopped and started again (docs/privacy.md, "Rotation").
"""

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from apps.identity import keys, vault
from apps.identity.errors import BackfillIncomplete, IdentityKeyUnavailable
from apps.identity.models import BlindIndex, ReporterIdentity, ReporterKey

Progress = Callable[[int], object]


def _noop(_done: int) -> object:
    return None


def master_key_rotation_pending() -> int:
    return ReporterKey.objects.exclude(kid=keys.newest_master_kid()).count()


def master_key_rotate(*, batch_size: int | None = None, progress: Progress = _noop) -> int:
    """Re-wrap every data key not under the newest key id. Returns how many were re-wrapped.

    Refuses to start (``IdentityKeyUnavailable``, listing the reporter ids) if any data key
    is wrapped under a key id that is no longer configured: those reporters' data cannot be
    read until the old key is put back.
    """
    missing = vault.unconfigured_kids()
    if missing:
        all_ids = sorted(i for group in missing.values() for i in group)
        raise IdentityKeyUnavailable(",".join(missing), all_ids)
    newest = keys.newest_master_kid()
    size = batch_size or settings.IDENTITY_ROTATION_BATCH_SIZE
    done = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                ReporterKey.objects.select_for_update(skip_locked=True)
                .filter(pk__gt=last_pk)
                .exclude(kid=newest)
                .order_by("pk")[:size]
            )
            if not batch:
                return done
            for reporter_key in batch:
                done += vault.rewrap(reporter_key=reporter_key, kid=newest)
            last_pk = batch[-1].pk
        progress(len(batch))


def _without_newest_twin() -> QuerySet[BlindIndex]:
    """Old-version rows whose (reporter, field) has no newest-version row yet."""
    version = keys.newest_index_version()
    twin = BlindIndex.objects.filter(
        reporter_id=OuterRef("reporter_id"), field=OuterRef("field"), version=version
    )
    return BlindIndex.objects.exclude(version=version).filter(~Exists(twin))


def blind_index_backfill_pending() -> int:
    """How many (reporter, field) pairs still lack a newest-version index row."""
    return _without_newest_twin().count()


def blind_index_rotate(*, batch_size: int | None = None, progress: Progress = _noop) -> int:
    """Write newest-version blind indexes beside the old ones. Returns rows written."""
    version = keys.newest_index_version()
    size = batch_size or settings.IDENTITY_ROTATION_BATCH_SIZE
    written = 0
    last_pk = 0
    while True:
        ids = list(
            ReporterIdentity.objects.filter(pk__gt=last_pk, reporter__erased_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return written
        with transaction.atomic():
            written += vault.index_backfill(reporter_ids=ids, version=version)
        last_pk = ids[-1]
        progress(len(ids))


def blind_index_drop_old() -> int:
    """Delete index rows of other versions, once every one of them has a newest twin."""
    missing = list(
        _without_newest_twin().order_by("reporter_id").values_list("reporter_id", flat=True)[:51]
    )
    if missing:
        shown = ", ".join(str(i) for i in sorted(set(missing))[:50])
        raise BackfillIncomplete(
            f"run rotate_blind_index first: some reporters lack version "
            f"{keys.newest_index_version()} (ids: {shown}{', ...' if len(missing) > 50 else ''})"
        )
    deleted, _ = BlindIndex.objects.exclude(version=keys.newest_index_version()).delete()
    return deleted
