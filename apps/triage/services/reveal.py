"""The identity reveal workflow, bound to one ticket (docs/privacy.md, "Reveal"; docs/triage.md).

The identity services decide and log everything (four eyes, expiry, the audit events); these
functions only bind a request, a grant or a reveal to the ticket the officer works on: the
reporter is the ticket's, the ticket reference is its public id and the unit is the one that
*currently* holds it (the reports-side check that identity cannot make). Inputs from the
admin forms are validated here, before any identity service runs, so that bad input is a
plain 400-style refusal that changes and logs nothing.

Like the identity services they call, these must run **outside** any open transaction: a
refusal commits its ``denied`` event with ``atomic(durable=True)``.
"""

from collections.abc import Sequence
from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.core.text import text_clean
from apps.identity import vault
from apps.identity.models import RevealRequest
from apps.identity.services import (
    identity_reveal,
    reveal_grant,
    reveal_reject,
    reveal_request_create,
)
from apps.identity.services.reveal import GRANT_HOURS_MAX, GRANT_HOURS_MIN
from apps.reports.models import Report
from apps.triage.reveal_text import RevealReason

__all__ = [
    "RevealReason",
    "report_identity_reveal",
    "report_reveal_grant",
    "report_reveal_reject",
    "report_reveal_request_create",
]

JUSTIFICATION_MAX = 1900  # the stored reason is "<code>: <justification>" (API cap 2000)


def _fields_clean(fields: Sequence[str]) -> list[str]:
    chosen = sorted(set(fields))
    if not chosen or not set(chosen) <= set(vault.FIELDS):
        raise ApplicationError(fields={"fields": [str(_("Choose one or more identity fields."))]})
    return chosen


def report_reveal_request_create(
    *,
    report: Report,
    actor: User,
    reason_code: str,
    justification: str,
    fields: Sequence[str],
) -> RevealRequest:
    """An officer asks to see ``fields`` of the reporter of ``report``, for the unit holding it."""
    if reason_code not in RevealReason.values:
        raise ApplicationError(fields={"reason_code": [str(_("Unknown reason code."))]})
    justification = text_clean(
        value=justification, field="justification", max_length=JUSTIFICATION_MAX
    )
    return reveal_request_create(
        reporter=report.reporter,
        ticket_ref=report.public_id,
        agency=report.agency,
        actor=actor,
        reason=f"{reason_code}: {justification}",
        fields=_fields_clean(fields),
    )


def report_reveal_grant(
    *, reveal_request: RevealRequest, actor: User, ttl_hours: int | None = None
) -> RevealRequest:
    """A supervisor grants a request of the ticket for ``ttl_hours`` (default: the setting)."""
    if ttl_hours is not None and not GRANT_HOURS_MIN <= ttl_hours <= GRANT_HOURS_MAX:
        raise ApplicationError(
            fields={
                "ttl_hours": [
                    str(_("Choose between %(min)s and %(max)s hours."))
                    % {"min": GRANT_HOURS_MIN, "max": GRANT_HOURS_MAX}
                ]
            }
        )
    return reveal_grant(
        reveal_request=reveal_request,
        actor=actor,
        ttl=timedelta(hours=ttl_hours) if ttl_hours else None,
    )


def report_identity_reveal(
    *, report: Report, actor: User, fields: Sequence[str]
) -> dict[str, str | None]:
    """Decrypt ``fields`` of the ticket's reporter if the actor's grant for it allows it."""
    return identity_reveal(
        reporter=report.reporter,
        ticket_ref=report.public_id,
        agency=report.agency,
        actor=actor,
        fields=_fields_clean(fields),
    )


REJECTION_MAX = 1000


def report_reveal_reject(
    *, reveal_request: RevealRequest, actor: User, reason: str
) -> RevealRequest:
    """A supervisor of the request's unit rejects it; the reason is required, logged and shown
    to the requester on the ticket page. A request already decided is refused (409)."""
    reason = text_clean(value=reason, field="reason", max_length=REJECTION_MAX, required=False)
    if not reason:
        raise ApplicationError(fields={"reason": [str(_("Say why the request is rejected."))]})
    return reveal_reject(reveal_request=reveal_request, actor=actor, reason=reason)
