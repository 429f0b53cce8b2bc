"""Sign-in by a one-time code sent by SMS (docs/privacy.md, "Sign-in").

State lives in PostgreSQL (``OtpChallenge`` rows), not in Redis: the send limits per phone
and per client IP are counts of recent rows, the wrong-attempt lock is a column, and a
Redis outage neither blocks sign-in nor resets a counter. The phone and the IP appear only
as keyed hashes, the code only as a keyed hash bound to its challenge.
"""

import hmac
import logging
import secrets
import zlib
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from apps.accounts.models import User
from apps.core.messaging import sms_backend
from apps.identity import keys, vault
from apps.identity.errors import (
    AccountDisabled,
    OtpExpired,
    OtpInvalid,
    OtpLocked,
    OtpThrottled,
    SmsUnavailable,
)
from apps.identity.models import OtpChallenge, Reporter
from apps.identity.services.reporters import reporter_create

logger = logging.getLogger(__name__)

PHONE_PURPOSE = "otp-phone"
IP_PURPOSE = "otp-ip"
SIGNIN_LOCK_PURPOSE = "signin-lock"


def _code_hash(*, challenge_salt: str, code: str, version: int) -> str:
    return keys.keyed_digest(purpose="otp-code", value=f"{challenge_salt}:{code}", version=version)


def _lock(purpose: str, value: str) -> None:
    """A transaction-scoped advisory lock per phone (serialises sends and account creation)."""
    digest = keys.keyed_digest(purpose=purpose, value=value, version=keys.newest_index_version())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)",
            [zlib.crc32(purpose.encode()) - 2**31, int(digest[:8], 16) - 2**31],
        )


def _send_sms(*, phone: str, code: str) -> None:
    body = _("Your Lapor Warga sign-in code: %(code)s. Valid for 5 minutes. Never share it.")
    try:
        sms_backend().send(to=phone, body=body % {"code": code}, code=code)
    except Exception as exc:  # noqa: BLE001 - any gateway failure; its message may quote the number
        logger.warning("otp: SMS gateway failed (%s)", type(exc).__name__)
        raise SmsUnavailable() from None


def _sent_to(phone_digests: dict[int, str]) -> QuerySet[OtpChallenge]:
    return OtpChallenge.objects.filter(phone_digest__in=phone_digests.values())


def _sent_from(ip_digests: dict[int, str]) -> QuerySet[OtpChallenge]:
    return OtpChallenge.objects.filter(ip_digest__in=ip_digests.values())


def _send_wait(*, sent: QuerySet[OtpChallenge], limit: int, now: datetime) -> int | None:
    """Seconds until ``sent`` (the codes of one phone or one client IP) allows one more code,
    or None if it allows one now.

    The limit counts codes sent within ``OTP_SEND_WINDOW``: a new one is allowed once the
    ``limit``-th newest of them has left the window.
    """
    window = settings.OTP_SEND_WINDOW
    if limit <= 0:  # sending is switched off
        return max(1, int(window.total_seconds()))
    blocking = (
        sent.filter(created_at__gte=now - window)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)[limit - 1 : limit]
    )
    oldest_counted = next(iter(blocking), None)
    if oldest_counted is None:
        return None
    # The window includes its start (created_at >= now - window): one second past it.
    return max(1, int((oldest_counted + window - now).total_seconds()) + 1)


def otp_request(*, phone: str, client_ip: str) -> None:
    """Send a sign-in code to ``phone`` (E.164, already normalised).

    Answers the same whether or not an account exists. Refuses with ``OtpThrottled`` (429)
    past ``OTP_SENDS_PER_IP`` codes per client IP or ``OTP_SENDS_PER_PHONE`` per phone within
    ``OTP_SEND_WINDOW``; refused requests store nothing. The SMS leaves after commit;
    if the gateway fails the answer is 503 and the (unsent) code still counts.
    """
    version = keys.newest_index_version()
    phone_digests = keys.keyed_digests(purpose=PHONE_PURPOSE, value=phone)
    ip_digests = keys.keyed_digests(purpose=IP_PURPOSE, value=client_ip)
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(8)
    now = timezone.now()
    # durable: this is the outermost transaction, so leaving the block means committed and
    # the SMS below goes out after commit (conventions C7) without needing on_commit.
    with transaction.atomic(durable=True):
        _lock(PHONE_PURPOSE, phone)
        _lock(IP_PURPOSE, client_ip)
        waits = [
            _send_wait(sent=_sent_from(ip_digests), limit=settings.OTP_SENDS_PER_IP, now=now),
            _send_wait(sent=_sent_to(phone_digests), limit=settings.OTP_SENDS_PER_PHONE, now=now),
        ]
        if any(wait is not None for wait in waits):
            raise OtpThrottled(retry_after=max(wait for wait in waits if wait is not None))
        OtpChallenge.objects.create(
            phone_digest=phone_digests[version],
            ip_digest=ip_digests[version],
            key_version=version,
            code_hash=f"{salt}${_code_hash(challenge_salt=salt, code=code, version=version)}",
            created_at=now,
            expires_at=now + settings.OTP_TTL,
        )
    _send_sms(phone=phone, code=code)


def _challenge_check(*, phone: str, code: str) -> None:
    """Consume the newest challenge for ``phone`` if ``code`` matches; else refuse.

    Only the newest challenge of the number counts, consumed or not: once it is used,
    locked or expired, older codes never sign in (a superseded code stays superseded).
    The row is locked (``FOR UPDATE``), so two verifications of one code cannot both succeed.
    A wrong code is counted in its own committed transaction before the refusal is raised.
    """
    phone_digests = keys.keyed_digests(purpose=PHONE_PURPOSE, value=phone)
    now = timezone.now()
    with transaction.atomic(durable=True):  # the attempt count must commit before we refuse
        challenge = (
            _sent_to(phone_digests).select_for_update().order_by("-created_at", "-id").first()
        )
        if challenge is None or challenge.consumed_at is not None:
            raise OtpInvalid()
        if challenge.attempts >= settings.OTP_MAX_ATTEMPTS:
            raise _locked(phone_digests=phone_digests, now=now)
        if challenge.expires_at <= now:
            raise OtpExpired()
        salt, _sep, stored = challenge.code_hash.partition("$")
        version = challenge.key_version
        ok = version in keys.index_keys() and hmac.compare_digest(
            stored, _code_hash(challenge_salt=salt, code=code, version=version)
        )
        if ok:
            challenge.consumed_at = now
            challenge.save(update_fields=["consumed_at"])
        else:
            challenge.attempts += 1
            challenge.save(update_fields=["attempts"])
            locked = challenge.attempts >= settings.OTP_MAX_ATTEMPTS
    if not ok:
        raise _locked(phone_digests=phone_digests, now=now) if locked else OtpInvalid()


def _locked(*, phone_digests: dict[int, str], now: datetime) -> OtpLocked:
    """The lock ends with a new code: retry once the per-phone send limit allows one."""
    wait = _send_wait(sent=_sent_to(phone_digests), limit=settings.OTP_SENDS_PER_PHONE, now=now)
    return OtpLocked(retry_after=wait or 1)


@transaction.atomic
def citizen_create(
    *, phone: str, name: str | None = None, email: str | None = None, nik: str | None = None
) -> Reporter:
    """A new citizen: a ``User`` with a random name and no password or personal data, a
    pseudonymous ``Reporter``, and the sealed identity (normalised values)."""
    user = User(username=f"c-{secrets.token_hex(10)}", is_citizen=True)
    user.set_unusable_password()
    user.save()
    reporter = reporter_create(user=user)
    vault.seal(reporter=reporter, values={"phone": phone, "name": name, "email": email, "nik": nik})
    return reporter


def _token_issue(*, user: User) -> str:
    limit = settings.REST_KNOX.get("TOKEN_LIMIT_PER_USER")
    if isinstance(limit, int) and limit > 0:
        # The oldest sessions make room: signing in on a new phone must not lock one out.
        tokens = AuthToken.objects.filter(user=user)
        keep = list(tokens.order_by("-created").values_list("pk", flat=True)[: limit - 1])
        tokens.exclude(pk__in=keep).delete()
    _instance, token = AuthToken.objects.create(user=user)
    return token


def otp_verify(
    *, phone: str, code: str, name: str | None = None, email: str | None = None
) -> tuple[Reporter, str]:
    """Check the code and sign in: returns the reporter and a new API token.

    The first successful verification for a phone creates the citizen (a ``User`` with no
    password and no personal data, a pseudonymous ``Reporter``, the sealed identity with the
    optional ``name``/``email``). Later verifications ignore ``name``/``email`` (use
    ``PATCH /me/``). The phone is matched exactly after the blind-index narrowing.
    """
    _challenge_check(phone=phone, code=code)
    with transaction.atomic():
        _lock(SIGNIN_LOCK_PURPOSE, phone)  # two first sign-ins at once create one account
        reporter = vault.find_reporter(field="phone", value=phone)
        if reporter is None:
            reporter = citizen_create(phone=phone, name=name, email=email)
        user = reporter.user
        if user is None or not user.is_active:
            raise AccountDisabled()
        token = _token_issue(user=user)
    return reporter, token


@transaction.atomic
def auth_token_revoke(*, token: AuthToken) -> None:
    """Sign out: delete the token the request was authenticated with."""
    AuthToken.objects.filter(pk=token.pk).delete()


def otp_purge() -> int:
    """Delete challenges older than ``OTP_KEEP`` (they only matter for the send window)."""
    cutoff = timezone.now() - max(settings.OTP_KEEP, settings.OTP_SEND_WINDOW)
    deleted, _ = OtpChallenge.objects.filter(created_at__lt=cutoff).delete()
    return deleted
