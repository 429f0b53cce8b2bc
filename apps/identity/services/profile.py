"""The citizen's own data: update, erase (crypto-shredding), restrict."""

import logging
import secrets

from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from apps.accounts.models import User
from apps.identity import keys, vault
from apps.identity.errors import IdentityDecryptionError, IdentityKeyUnavailable
from apps.identity.models import IdentityAccessEvent, InboxMessage, OtpChallenge, Reporter
from apps.identity.services.audit import access_event_write
from apps.identity.services.otp import PHONE_PURPOSE

logger = logging.getLogger(__name__)

UPDATABLE_FIELDS = ("name", "email", "nik")
TOMBSTONE_PREFIX = "Dihapus-"


@transaction.atomic
def reporter_identity_update(*, reporter: Reporter, changes: dict[str, str | None]) -> None:
    """Change the owner's name, e-mail or NIK (normalised values; ``None`` clears).

    The phone is the sign-in identifier and changes only through a new OTP sign-in.
    """
    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    reporter = Reporter.objects.select_for_update().get(pk=reporter.pk)
    vault.seal(reporter=reporter, values=changes)


def _tombstone() -> str:
    return TOMBSTONE_PREFIX + secrets.token_hex(6).upper()


@transaction.atomic
def reporter_erase(*, reporter: Reporter, actor: User | None) -> Reporter:
    """Erase a reporter's personal data (UU PDP Art. 43): crypto-shredding.

    Deletes the ciphertexts, the blind indexes and the wrapped data key (the key is gone, so
    any copy of the ciphertext, in a backup or a history table, is unreadable), the inbox and
    pending sign-in codes; revokes every token and deactivates the account. The ``Reporter``
    row stays so tickets keep pointing at something, under a new tombstone pseudonym
    (``Dihapus-…``) with ``erased_at`` set. Idempotent: erasing again changes nothing.
    """
    reporter = Reporter.objects.select_for_update().get(pk=reporter.pk)
    if reporter.erased_at is not None:
        return reporter
    try:
        phone = vault.reveal(reporter=reporter, fields=["phone"])["phone"]
    except (IdentityDecryptionError, IdentityKeyUnavailable):
        # A damaged row or a retired key must not block erasure; pending codes expire anyway.
        logger.warning("identity: erasing reporter %s without reading the phone", reporter.pk)
        phone = None
    if phone is not None:
        digests = keys.keyed_digests(purpose=PHONE_PURPOSE, value=phone)
        OtpChallenge.objects.filter(phone_digest__in=digests.values()).delete()
    vault.shred(reporter=reporter)
    InboxMessage.objects.filter(reporter=reporter).delete()
    user = reporter.user
    if user is not None:
        AuthToken.objects.filter(user=user).delete()
        user.is_active = False
        user.save(update_fields=["is_active"])
    reporter.erased_at = timezone.now()
    reporter.pseudonym = _tombstone()
    reporter.user = None
    reporter.save(update_fields=["erased_at", "pseudonym", "user", "updated_at"])
    access_event_write(
        kind=IdentityAccessEvent.Kind.ERASED,
        reporter=reporter,
        actor=actor,
        detail={"by": "owner" if actor is not None and actor == user else "staff"},
    )
    logger.info("identity: reporter %s erased", reporter.pk)
    return reporter


@transaction.atomic
def reporter_set_reveal_restricted(
    *, reporter: Reporter, restricted: bool, actor: User, reason: str
) -> Reporter:
    """Turn the reveal restriction on or off (DPO decision, logged)."""
    reporter = Reporter.objects.select_for_update().get(pk=reporter.pk)
    if reporter.reveal_restricted == restricted:
        return reporter
    reporter.reveal_restricted = restricted
    reporter.save(update_fields=["reveal_restricted", "updated_at"])
    access_event_write(
        kind=IdentityAccessEvent.Kind.RESTRICTED,
        reporter=reporter,
        actor=actor,
        reason=reason,
        detail={"restricted": restricted},
    )
    return reporter
