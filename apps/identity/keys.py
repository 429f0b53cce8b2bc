"""Key material from settings, and the keyed hashes that need no decryption.

``IDENTITY_MASTER_KEYS = "kid1:<base64 32 bytes>,kid2:<base64 32 bytes>"`` (newest last) wrap
the per-reporter data keys. ``IDENTITY_BLIND_INDEX_KEYS = "1:<base64>,2:<base64>"`` (newest
last) key the blind indexes and the one-time-code hashes. Nothing here is derived from
``SECRET_KEY``. Decryption lives in ``apps.identity.vault`` only.
"""

import base64
import binascii
import functools
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

BLIND_INDEX_BITS = 20
KEY_BYTES = 32


def _parse(raw: str, setting: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        kid, sep, encoded = item.partition(":")
        kid = kid.strip()
        if not sep or not kid:
            raise ImproperlyConfigured(f"{setting}: each entry must be 'id:base64key'")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(f"{setting}: key {kid!r} is not valid base64") from None
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(f"{setting}: key {kid!r} must be {KEY_BYTES} bytes")
        if kid in keys:
            raise ImproperlyConfigured(f"{setting}: key id {kid!r} is listed twice")
        keys[kid] = key
    if not keys:
        raise ImproperlyConfigured(f"{setting} is empty: see docs/privacy.md (key hierarchy)")
    return keys


@functools.lru_cache(maxsize=8)
def _master_keys(raw: str) -> dict[str, bytes]:
    return _parse(raw, "IDENTITY_MASTER_KEYS")


@functools.lru_cache(maxsize=8)
def _index_keys(raw: str) -> dict[int, bytes]:
    parsed = _parse(raw, "IDENTITY_BLIND_INDEX_KEYS")
    try:
        return {int(version): key for version, key in parsed.items()}
    except ValueError:
        raise ImproperlyConfigured("IDENTITY_BLIND_INDEX_KEYS: versions must be integers") from None


def master_keys() -> dict[str, bytes]:
    """Configured key-encryption keys by key id, oldest first."""
    return _master_keys(settings.IDENTITY_MASTER_KEYS)


def newest_master_kid() -> str:
    return list(master_keys())[-1]


def index_keys() -> dict[int, bytes]:
    """Configured blind-index keys by version, in the order listed (newest last)."""
    return _index_keys(settings.IDENTITY_BLIND_INDEX_KEYS)


def newest_index_version() -> int:
    return list(index_keys())[-1]


def _mac(key: bytes, purpose: str, value: str) -> bytes:
    return hmac.new(key, f"{purpose}\x1f{value}".encode(), hashlib.sha256).digest()


def blind_index(*, field: str, value: str, version: int) -> int:
    """``HMAC-SHA256(index key, field + normalised value)`` truncated to 20 bits.

    Twenty bits (about a million buckets) means each value shares its bucket with many other
    people's once the table is large: the index narrows a lookup to a few candidates without
    identifying anyone (docs/adr/0004-identity-crypto.md).
    """
    digest = _mac(index_keys()[version], f"blind-index:{field}", value)
    return int.from_bytes(digest[:4], "big") >> (32 - BLIND_INDEX_BITS)


def blind_indexes(*, field: str, value: str) -> dict[int, int]:
    """The bucket of ``value`` under every configured index version."""
    return {v: blind_index(field=field, value=value, version=v) for v in index_keys()}


def keyed_digest(*, purpose: str, value: str, version: int) -> str:
    """A full-length keyed hash (hex) for short-lived rows (OTP challenges, rate counters)."""
    return _mac(index_keys()[version], purpose, value).hex()


def keyed_digests(*, purpose: str, value: str) -> dict[int, str]:
    return {v: keyed_digest(purpose=purpose, value=value, version=v) for v in index_keys()}
