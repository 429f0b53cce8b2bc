"""Refusals of the identity app, rendered by ``apps.core.api.handlers`` (one JSON shape).

Messages are fixed texts: they never quote a phone number, a name or a code, because error
bodies and exception messages end up in logs.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.core.errors import ApplicationError, ErrorCode


class OtpInvalid(ApplicationError):
    code = "otp_invalid"
    status = 400
    default_message = _("The code is wrong or was not requested for this number.")


class OtpExpired(ApplicationError):
    code = "otp_expired"
    status = 400
    default_message = _("The code has expired. Request a new one.")


class RetryLater(ApplicationError):
    """A 429: ``retry_after`` (whole seconds, at least 1) becomes the ``Retry-After`` header
    (``apps.core.api.handlers``); None leaves the handler's default."""

    status = 429

    def __init__(
        self, message: Any = None, *, retry_after: int | None = None, **extra: Any
    ) -> None:
        self.retry_after = None if retry_after is None else max(1, int(retry_after))
        super().__init__(message, **extra)


class OtpLocked(RetryLater):
    code = "otp_locked"
    default_message = _("Too many wrong codes. Request a new code later.")


class OtpThrottled(RetryLater):
    code = ErrorCode.THROTTLED
    default_message = _("Too many codes requested. Try again later.")


class SmsUnavailable(ApplicationError):
    code = ErrorCode.SERVICE_UNAVAILABLE
    status = 503
    default_message = _("The SMS service is temporarily unavailable. Try again later.")


class AccountDisabled(ApplicationError):
    code = "account_disabled"
    status = 403
    default_message = _("This account is disabled.")


# Why a reveal step was refused, by the identity services' denial code (docs/privacy.md).
DENIAL_MESSAGES: dict[str, Any] = {
    "no_permission": _("You do not act for the unit that holds this ticket."),
    "not_supervisor": _("Only a supervisor of the unit may grant or reject a reveal request."),
    "self_grant": _(
        "A request must be decided by another supervisor of the unit, not by its requester."
    ),
    "no_grant": _("You have no granted reveal request for this reporter in this unit."),
    "grant_expired": _("Your grant has expired. File a new request."),
    "other_ticket": _("Your grant is for another ticket, not this one."),
    "field_not_granted": _("These fields were not granted."),
    "grantor_not_supervisor": _("The grantor no longer supervises the unit."),
    "restricted": _("The data protection officer has restricted reveals of this reporter."),
    "erased": _("The reporter's personal data has been erased."),
}


class RevealDenied(ApplicationError):
    code = "reveal_denied"
    status = 403
    default_message = _("You may not see this reporter's identity.")


class ReporterErased(ApplicationError):
    code = "reporter_erased"
    status = 410
    default_message = _("The reporter's personal data has been erased.")


class RevealAlreadyUsed(ApplicationError):
    """A grant allows one reveal: it was made. Not a new access attempt, so not logged."""

    code = "reveal_already_used"
    status = 409
    default_message = _(
        "The identity was already shown once under this grant. File a new request to see it again."
    )


class RevealRequestAlreadyDecided(ApplicationError):
    code = "reveal_request_decided"
    status = 409
    default_message = _("This request has already been decided.")


class IdentityDecryptionError(Exception):
    """A ciphertext did not authenticate (tampered, moved, or the wrong key).

    A server fault, not a client error: it surfaces as a logged 500 and is never turned into a
    value. The message names the table, row id and field only.
    """


class IdentityKeyUnavailable(Exception):
    """Data keys are wrapped under a master key id that is no longer configured."""

    def __init__(self, kid: str, reporter_ids: list[int]) -> None:
        self.kid = kid
        self.reporter_ids = reporter_ids
        shown = ", ".join(str(i) for i in reporter_ids[:100])
        more = f" and {len(reporter_ids) - 100} more" if len(reporter_ids) > 100 else ""
        super().__init__(
            f"master key id {kid!r} is not configured (IDENTITY_MASTER_KEYS); "
            f"affected reporter ids: {shown}{more}"
        )


class BackfillIncomplete(Exception):
    """Old blind-index rows cannot be dropped: some have no newest-version twin yet."""
