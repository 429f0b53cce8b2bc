import secrets

from django.db import IntegrityError, transaction

from apps.accounts.models import User
from apps.identity.models import Reporter

# Crockford-like alphabet without look-alikes (0/O, 1/I/L).
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _new_pseudonym() -> str:
    return "Warga-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def reporter_create(*, user: User | None) -> Reporter:
    """A new pseudonymous reporter (retrying on the rare pseudonym collision)."""
    for _ in range(10):
        try:
            with transaction.atomic():
                return Reporter.objects.create(pseudonym=_new_pseudonym(), user=user)
        except IntegrityError:
            if user is not None and Reporter.objects.filter(user=user).exists():
                raise
    raise RuntimeError("could not allocate a unique pseudonym")
