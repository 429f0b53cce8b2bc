import secrets
from datetime import datetime

from django.db import IntegrityError, transaction

from apps.accounts.models import User
from apps.identity.models import Reporter

# Crockford-like alphabet without look-alikes (0/O, 1/I/L).
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _new_pseudonym() -> str:
    return "Warga-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


# The unique constraint a pseudonym collision violates; callers that retry their whole
# transaction (``reporter_new``) recognise it by this name.
PSEUDONYM_CONSTRAINT = "identity_reporter_pseudonym_key"


def reporter_new(*, user: User | None, at: datetime) -> Reporter:
    """A new pseudonymous reporter, not yet stored, created at ``at``.

    For a caller that stores it in its own statement along with other rows (report
    intake): that caller must retry its whole transaction on ``PSEUDONYM_CONSTRAINT``.
    """
    return Reporter(pseudonym=_new_pseudonym(), user=user, created_at=at, updated_at=at)


def reporter_create(*, user: User | None) -> Reporter:
    """A new pseudonymous reporter, stored; a rare pseudonym collision is retried."""
    for _ in range(10):
        try:
            with transaction.atomic():
                return Reporter.objects.create(pseudonym=_new_pseudonym(), user=user)
        except IntegrityError:
            if user is not None and Reporter.objects.filter(user=user).exists():
                raise
    raise RuntimeError("could not allocate a unique pseudonym")
