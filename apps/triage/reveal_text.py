"""How the reveal workflow reads to people: reason codes, field names and denial codes as labels.

The identity app stores codes (``verify: …``, ``["name", "phone"]``, ``"denial": "no_grant"``);
the ticket page, the supervisors' list and the DPO's audit trail show these labels instead,
in the user's language (docs/triage.md, "Reporter identity").
"""

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.identity.errors import DENIAL_MESSAGES
from apps.identity.models import RevealReason, identity_field_labels, reveal_reason_label

__all__ = [
    "DENIAL_MESSAGES",
    "INPUT_LABELS",
    "RevealReason",
    "denial_label",
    "field_labels",
    "input_errors",
    "reason_label",
]


field_labels = identity_field_labels


reason_label = reveal_reason_label


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
