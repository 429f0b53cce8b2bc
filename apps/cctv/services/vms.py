"""Registering video management systems and their API keys."""

import hashlib
import secrets

from django.db import transaction

from apps.cctv.models import Vms


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def vms_register(
    *,
    code: str,
    name: str,
    key: str | None = None,
    backend: str = Vms.Backend.DEMO,
    base_url: str = "",
) -> tuple[Vms, str]:
    """Create or update the VMS ``code`` with a new API key; returns it and the key (shown
    once: only its hash is stored). ``key`` fixes the key (the demo's ``demo-vms-key``)."""
    key = key or secrets.token_urlsafe(32)
    vms, _created = Vms.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "key_hash": key_hash(key),
            "key_prefix": key[:4],
            "backend": backend,
            "base_url": base_url,
            "is_active": True,
        },
    )
    return vms, key
