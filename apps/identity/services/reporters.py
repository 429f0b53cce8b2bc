import secrets

from django.db import IntegrityError, transaction

from apps.accounts.models import User
from apps.identity.models import Reporter

# Crockford-like alphabet without look-alikes (0/O, 1/I/L).
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _new_pseudonym() -> str:
    return "Warga-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


# The unique constraint a pseudonym collision violates; callers that retry their whole
# transaction (``savepoint=False``) recognise it by this name.
PSEUDONYM_CONSTRAINT = "identity_reporter_pseudonym_key"


def reporter_create(*, user: User | None, savepoint: bool = True) -> Reporter:
    """A new pseudonymous reporter.

    With ``savepoint`` (the default) a rare pseudonym collision is retried inside a savepoint.
    A caller on a hot path that already retries its whole transaction on ``IntegrityError``
    passes ``savepoint=False`` and saves the two round trips; it must retry on
    ``PSEUDONYM_CONSTRAINT``.
    """
    if not savepoint:
        return Reporter.objects.create(pseudonym=_new_pseudonym(), user=user)
    for _ in range(10):
        try:
            with transaction.atomic():
                return Reporter.objects.create(pseudonym=_new_pseudonym(), user=user)
        except IntegrityError:
            if user is not None and Reporter.objects.filter(user=user).exists():
                raise
    raise RuntimeError("could not allocate a unique pseudonym")
