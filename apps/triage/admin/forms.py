"""Input forms of the triage admin's bulk actions (docs/triage.md, "The admin").

The changelist's bulk POST is checked before Django's own handling runs: the tickets picked
(a value that cannot name a ticket is refused, never reaching a query) and the officer's
name. A ticket page's own actions are checked by their input serializers, from the action
table (``apps.triage.actions``).
"""

from typing import Any

from django import forms
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

# The largest primary key PostgreSQL's bigint holds: a larger id can name no ticket.
PK_MAX = 2**63 - 1


def _is_ticket_pk(value: object) -> bool:
    return (
        isinstance(value, str) and value.isascii() and value.isdigit() and 0 < int(value) <= PK_MAX
    )


class BulkActionInputForm(forms.Form):
    """The changelist's bulk action POST: the ticked tickets and the officer's name."""

    assignee = forms.CharField(max_length=150, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        selected = self.data.getlist(ACTION_CHECKBOX_NAME) if hasattr(self.data, "getlist") else []
        if not all(_is_ticket_pk(value) for value in selected):
            raise ValidationError(_("Select tickets from the list."))
        return cleaned


def form_errors(form: forms.Form) -> dict[str, list[str]]:
    """The errors of ``form`` in the shape of ``ApplicationError.fields``."""
    return {
        ("" if name == NON_FIELD_ERRORS else name): [str(message) for message in messages]
        for name, messages in form.errors.items()
    }
