"""Input forms of the triage admin's ticket actions (docs/triage.md, "The admin").

Each form checks what the admin itself turns into objects before any service runs: a unit
code, an officer's username, a parent ticket id, the geotag of a completion (finite, in
range, both coordinates or neither), the tickets picked for a bulk action. A value that
cannot name anything (a NUL byte, an overlong code, ``inf``) is a form error, so it never
reaches a query. Free text (notes, reasons, questions) and reason codes are checked by the
services themselves (``apps.core.text.text_clean`` and the reason lists), and
the photo by the image pipeline.
"""

from typing import Any

from django import forms
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.gis.geos import Point
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Agency, User
from apps.core.errors import NotFound
from apps.reports.models import Report
from apps.triage.selectors import scope as selectors_staff

# The largest primary key PostgreSQL's bigint holds: a larger id can name no ticket.
PK_MAX = 2**63 - 1


class TicketActionForm(forms.Form):
    """An action whose inputs are all free text (or none): nothing to check here."""

    def __init__(self, data: Any, files: Any = None, *, user: User) -> None:
        super().__init__(data, files)
        self.user = user


class AssignForm(TicketActionForm):
    assignee = forms.CharField(max_length=150, required=False)

    def clean_assignee(self) -> User:
        username = self.cleaned_data["assignee"]
        assignee = User.objects.filter(username=username).first() if username else None
        if assignee is None:
            raise ValidationError(_("Unknown officer."))
        return assignee


class TransferForm(TicketActionForm):
    """Disposisi and koordinasi: the receiving unit, by code."""

    to_agency = forms.CharField(max_length=40, required=False)

    def clean_to_agency(self) -> Agency:
        code = self.cleaned_data["to_agency"]
        agency = Agency.objects.filter(code=code).first() if code else None
        if agency is None:
            raise ValidationError(_("Unknown unit code."))
        return agency


class MergeForm(TicketActionForm):
    parent = forms.CharField(max_length=40, required=False)

    def clean_parent(self) -> Report:
        public_id = self.cleaned_data["parent"]
        try:
            if not public_id:
                raise NotFound()
            return selectors_staff.report_get_for_user(user=self.user, public_id=public_id)
        except NotFound:
            raise ValidationError(_("No such ticket in your scope.")) from None


class CompleteForm(TicketActionForm):
    """The officer's geotag, used when the after-photo carries no GPS position."""

    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        lat, lon = cleaned.get("lat"), cleaned.get("lon")
        if self.errors:
            return cleaned
        if (lat is None) != (lon is None):
            raise ValidationError({"lat": _("Give both lat and lon, or neither.")})
        cleaned["geotag"] = None if lat is None else Point(lon, lat, srid=4326)
        return cleaned


ACTION_FORMS: dict[str, type[TicketActionForm]] = {
    "take": TicketActionForm,
    "assign": AssignForm,
    "start": TicketActionForm,
    "disposisi": TransferForm,
    "koordinasi": TransferForm,
    "koordinasi_accept": TicketActionForm,
    "koordinasi_decline": TicketActionForm,
    "return": TicketActionForm,
    "request_info": TicketActionForm,
    "resume": TicketActionForm,
    "complete": CompleteForm,
    "reject": TicketActionForm,
    "merge": MergeForm,
}


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
