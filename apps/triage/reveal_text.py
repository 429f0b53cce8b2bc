"""How the reveal workflow reads to people: reason codes, field names and denial codes as labels.

The identity app stores codes (``verify: …``, ``["name", "phone"]``, ``"denial": "no_grant"``);
the ticket page, the supervisors' list and the DPO's audit trail show these labels instead,
in the user's language (docs/triage.md, "Reporter identity").
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.identity.errors import DENIAL_MESSAGES
from apps.identity.models import identity_field_labels

__all__ = [
    "DENIAL_MESSAGES",
    "INPUT_LABELS",
    "RevealReason",
    "denial_label",
    "field_labels",
    "input_errors",
    "reason_label",
]


class RevealReason(models.TextChoices):
    """Why an officer asks to see a reporter's identity (the first word of the reason)."""

    FOLLOW_UP = "follow_up", _("Follow-up needs direct contact with the reporter")
    VERIFY = "verify", _("Verify the report (location, facts)")
    SAFETY = "safety", _("Safety of the reporter or of others")
    LEGAL = "legal", _("Request from law enforcement or a court")
    OTHER = "other", _("Other (explain in the justification)")


field_labels = identity_field_labels


def reason_label(reason: str) -> str:
    """``"verify: Cek lokasi"`` → "Verifikasi laporan (lokasi, fakta): Cek lokasi"."""
    code, sep, justification = reason.partition(": ")
    if sep and code in RevealReason.values:
        return f"{RevealReason(code).label}: {justification}"
    return reason


def denial_label(denial: str) -> str:
    """A denial code as a sentence; an unknown code as itself."""
    message = DENIAL_MESSAGES.get(denial)
    return str(message) if message is not None else gettext("Refused (%(code)s)") % {"code": denial}


# The reveal forms' inputs by the labels the forms show (messages never name a field's key).
INPUT_LABELS: dict[str, Any] = {
    "reason_code": _("Reason"),
    "justification": _("Justification"),
    "fields": _("Fields"),
    "ttl_hours": _("Valid for (hours)"),
    "reason": _("Reason for rejection"),
    "request": _("Reveal request"),
}


def input_errors(fields: dict[str, list[str]]) -> str:
    """``Label: message`` per refused input of a reveal form."""
    return "; ".join(
        f"{INPUT_LABELS[name]}: {' '.join(messages)}"
        if name in INPUT_LABELS
        else " ".join(messages)
        for name, messages in fields.items()
    )
