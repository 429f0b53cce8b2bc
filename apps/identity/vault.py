"""The only module that decrypts reporter identity (docs/privacy.md).

Hierarchy: a master key (KEK, ``IDENTITY_MASTER_KEYS``, by key id) wraps one random data key
per reporter (``ReporterKey``); the data key seals each identity field with AES-256-GCM.

* A sealed value is ``version byte || 12-byte nonce || ciphertext+tag``. Its associated data
  is ``"<table>:<row id>:<field>:<version>"``, so a ciphertext moved to another row or column
  fails to authenticate.
* A wrapped data key is ``12-byte nonce || ciphertext+tag`` under the KEK, with associated
  data ``"identity_reporterkey:<reporter id>:data_key:<kid>"``.
* Any failure raises ``IdentityDecryptionError`` (or ``IdentityKeyUnavailable``); nothing
  here ever returns ciphertext as if it were a value.

Callers are responsible for authorisation: the owner's own profile (``selectors``), the
audited reveal (``services.identity_reveal``) and sign-in matching. Nothing here logs values.
"""

import hmac
import os
from collections.abc import Iterable, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.identity import keys
from apps.identity.errors import IdentityDecryptionError, IdentityKeyUnavailable
from apps.identity.models import (
    BlindIndex,
    IdentityField,
    Reporter,
    ReporterIdentity,
    ReporterKey,
)

FORMAT_VERSION = 1
NONCE_BYTES = 12
FIELDS: tuple[str, ...] = tuple(IdentityField.values)
INDEXED_FIELDS: tuple[str, ...] = tuple(BlindIndex.Field.values)
IDENTITY_TABLE = ReporterIdentity._meta.db_table
KEY_TABLE = ReporterKey._meta.db_table


def _column(field: str) -> str:
    if field not in FIELDS:
        raise ValueError(f"unknown identity field {field!r}")
    return f"enc_{field}"


# --- primitives (pure functions; the benchmark uses them too) ------------------------------


def field_aad(*, row_id: int, field: str, version: int = FORMAT_VERSION) -> bytes:
    return f"{IDENTITY_TABLE}:{row_id}:{field}:{version}".encode()


def encrypt_value(*, data_key: bytes, row_id: int, field: str, plaintext: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(data_key).encrypt(
        nonce, plaintext.encode("utf-8"), field_aad(row_id=row_id, field=field)
    )
    return bytes([FORMAT_VERSION]) + nonce + sealed


def decrypt_value(*, data_key: bytes, row_id: int, field: str, blob: bytes) -> str:
    blob = bytes(blob)
    if len(blob) < 1 + NONCE_BYTES + 16 or blob[0] != FORMAT_VERSION:
        raise IdentityDecryptionError(f"{IDENTITY_TABLE} row {row_id} field {field}: bad format")
    nonce, sealed = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        plain = AESGCM(data_key).decrypt(
            nonce, sealed, field_aad(row_id=row_id, field=field, version=blob[0])
        )
    except InvalidTag:
        raise IdentityDecryptionError(
            f"{IDENTITY_TABLE} row {row_id} field {field}: authentication failed"
        ) from None
    return plain.decode("utf-8")


def _key_aad(*, reporter_id: int, kid: str) -> bytes:
    return f"{KEY_TABLE}:{reporter_id}:data_key:{kid}".encode()


def wrap_data_key(*, data_key: bytes, reporter_id: int, kid: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    kek = keys.master_keys()[kid]
    return nonce + AESGCM(kek).encrypt(nonce, data_key, _key_aad(reporter_id=reporter_id, kid=kid))


def unwrap_data_key(*, wrapped: bytes, reporter_id: int, kid: str) -> bytes:
    kek = keys.master_keys().get(kid)
    if kek is None:
        raise IdentityKeyUnavailable(kid, [reporter_id])
    wrapped = bytes(wrapped)
    try:
        return AESGCM(kek).decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _key_aad(reporter_id=reporter_id, kid=kid)
        )
    except InvalidTag:
        raise IdentityDecryptionError(
            f"{KEY_TABLE} row {reporter_id}: data key authentication failed"
        ) from None


# --- data keys -------------------------------------------------------------------------------


def _data_key_for(reporter_key: ReporterKey) -> bytes:
    return unwrap_data_key(
        wrapped=reporter_key.wrapped_key, reporter_id=reporter_key.pk, kid=reporter_key.kid
    )


def _data_key_get_or_create(*, reporter: Reporter) -> bytes:
    existing = ReporterKey.objects.filter(reporter=reporter).first()
    if existing is not None:
        return _data_key_for(existing)
    data_key = AESGCM.generate_key(bit_length=256)
    kid = keys.newest_master_kid()
    ReporterKey.objects.create(
        reporter=reporter,
        kid=kid,
        wrapped_key=wrap_data_key(data_key=data_key, reporter_id=reporter.pk, kid=kid),
    )
    return data_key


def rewrap(*, reporter_key: ReporterKey, kid: str) -> bool:
    """Re-wrap one data key under ``kid``. Returns False if it already was (idempotent)."""
    if reporter_key.kid == kid:
        return False
    data_key = _data_key_for(reporter_key)
    reporter_key.wrapped_key = wrap_data_key(
        data_key=data_key, reporter_id=reporter_key.pk, kid=kid
    )
    reporter_key.kid = kid
    reporter_key.rewrapped_at = timezone.now()
    reporter_key.save(update_fields=["wrapped_key", "kid", "rewrapped_at"])
    return True


def unconfigured_kids() -> dict[str, list[int]]:
    """Reporter ids whose data key is wrapped under a key id that is no longer configured."""
    configured = list(keys.master_keys())
    missing: dict[str, list[int]] = {}
    rows = (
        ReporterKey.objects.exclude(kid__in=configured)
        .order_by("kid", "pk")
        .values_list("kid", "pk")
    )
    for kid, reporter_id in rows:
        missing.setdefault(kid, []).append(reporter_id)
    return missing


# --- sealing ---------------------------------------------------------------------------------


def _write_indexes(*, reporter: Reporter, field: str, value: str | None) -> None:
    BlindIndex.objects.filter(reporter=reporter, field=field).delete()
    if value is None:
        return
    BlindIndex.objects.bulk_create(
        BlindIndex(reporter=reporter, field=field, version=version, value=bucket)
        for version, bucket in keys.blind_indexes(field=field, value=value).items()
    )


@transaction.atomic
def seal(*, reporter: Reporter, values: dict[str, str | None]) -> None:
    """Encrypt (and for phone/e-mail, blind-index) the given fields of ``reporter``.

    ``values`` maps field names to *normalised* plaintext; ``None`` clears a field. Fields not
    named are left as they are. Creates the data key on first use.
    """
    if reporter.erased_at is not None:
        raise ValueError(f"reporter {reporter.pk} is erased")
    data_key = _data_key_get_or_create(reporter=reporter)
    identity, _ = ReporterIdentity.objects.get_or_create(reporter=reporter)
    for field, value in values.items():
        column = _column(field)
        sealed = (
            None
            if value is None
            else encrypt_value(data_key=data_key, row_id=reporter.pk, field=field, plaintext=value)
        )
        setattr(identity, column, sealed)
        if field in INDEXED_FIELDS:
            _write_indexes(reporter=reporter, field=field, value=value)
    identity.save()


# --- opening ---------------------------------------------------------------------------------


def _open(identity: ReporterIdentity, fields: Iterable[str]) -> dict[str, str | None]:
    data_key = _data_key_for(identity.reporter.data_key)
    opened: dict[str, str | None] = {}
    for field in fields:
        blob = getattr(identity, _column(field))
        opened[field] = (
            None
            if blob is None
            else decrypt_value(data_key=data_key, row_id=identity.pk, field=field, blob=blob)
        )
    return opened


def reveal(*, reporter: Reporter, fields: Sequence[str] = FIELDS) -> dict[str, str | None]:
    """Decrypt ``fields`` of ``reporter``. The caller has checked that this is allowed."""
    identity = (
        ReporterIdentity.objects.select_related("reporter__data_key")
        .filter(reporter=reporter)
        .first()
    )
    if identity is None:
        return dict.fromkeys(fields)
    return _open(identity, fields)


def _candidates(*, field: str, value: str) -> QuerySet[ReporterIdentity]:
    buckets = keys.blind_indexes(field=field, value=value)
    match = Q()
    for version, bucket in buckets.items():
        match |= Q(version=version, value=bucket)
    reporter_ids = BlindIndex.objects.filter(match, field=field).values("reporter_id")
    return (
        ReporterIdentity.objects.filter(
            reporter_id__in=reporter_ids, reporter__erased_at__isnull=True
        )
        .select_related("reporter__data_key", "reporter__user")
        .order_by("reporter_id")
    )


def find_reporter(*, field: str, value: str) -> Reporter | None:
    """The reporter whose ``field`` equals the normalised ``value``, or None.

    The blind index (every configured version) narrows the search to a bucket's few
    candidates; each is decrypted and compared exactly, so a bucket collision never matches
    the wrong person. The oldest exact match wins.
    """
    if field not in INDEXED_FIELDS:
        raise ValueError(f"{field!r} is not indexed")
    wanted = value.encode("utf-8")
    for identity in _candidates(field=field, value=value):
        if getattr(identity, _column(field)) is None:
            continue
        opened = _open(identity, [field])[field]
        if opened is not None and hmac.compare_digest(opened.encode("utf-8"), wanted):
            return identity.reporter
    return None


def index_backfill(*, reporter_ids: Sequence[int], version: int) -> int:
    """Write blind-index rows of ``version`` for these reporters where missing. Returns count."""
    identities = ReporterIdentity.objects.filter(
        reporter_id__in=reporter_ids, reporter__erased_at__isnull=True
    ).select_related("reporter__data_key")
    existing = set(
        BlindIndex.objects.filter(reporter_id__in=reporter_ids, version=version).values_list(
            "reporter_id", "field"
        )
    )
    rows: list[BlindIndex] = []
    for identity in identities:
        wanted = [
            f
            for f in INDEXED_FIELDS
            if (identity.pk, f) not in existing and getattr(identity, _column(f)) is not None
        ]
        if not wanted:
            continue
        for field, plain in _open(identity, wanted).items():
            if plain is None:
                continue
            bucket = keys.blind_index(field=field, value=plain, version=version)
            rows.append(
                BlindIndex(reporter_id=identity.pk, field=field, version=version, value=bucket)
            )
    BlindIndex.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def shred(*, reporter: Reporter) -> None:
    """Crypto-shredding: delete the ciphertexts, the blind indexes and the wrapped data key."""
    BlindIndex.objects.filter(reporter=reporter).delete()
    ReporterIdentity.objects.filter(reporter=reporter).delete()
    ReporterKey.objects.filter(reporter=reporter).delete()
