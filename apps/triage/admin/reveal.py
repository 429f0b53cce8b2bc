"""The four-eyes identity reveal from the ticket page (docs/privacy.md).

A granted reveal is shown once, on its own ``no-store`` page rendered in the answer to the
POST (never stored in the session or in a message), and every step, refusals included, is
logged by the identity services.
"""

from typing import Any

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.errors import ApplicationError, NotFound
from apps.identity.errors import ReporterErased, RevealDenied
from apps.identity.models import IdentityField
from apps.triage.admin.common import ScopedTicketAdmin, _details, _user
from apps.triage.selectors import reveal as selectors_reveal
from apps.triage.services.reveal import (
    report_identity_reveal,
    report_reveal_grant,
    report_reveal_request_create,
)

# Why a reveal step was refused, by the identity services' denial code (docs/privacy.md).
DENIAL_MESSAGES: dict[str, Any] = {
    "no_permission": _("You do not act for the unit that holds this ticket."),
    "not_supervisor": _("Only a supervisor of the unit may grant a reveal request."),
    "self_grant": _(
        "A request must be granted by another supervisor of the unit, not by its requester."
    ),
    "no_grant": _("You have no granted reveal request for this reporter in this unit."),
    "grant_expired": _("Your grant has expired. File a new request."),
    "other_ticket": _("Your grant is for another ticket, not this one."),
    "field_not_granted": _("These fields were not granted."),
    "grantor_not_supervisor": _("The grantor no longer supervises the unit."),
    "restricted": _("The data protection officer has restricted reveals of this reporter."),
    "erased": _("The reporter's personal data has been erased."),
}


def _refusal(exc: ApplicationError) -> str:
    """An admin error message for a refused step; denials say they were logged."""
    if isinstance(exc, (RevealDenied, ReporterErased)):
        denial = str(exc.extra.get("denial", ""))
        reason = DENIAL_MESSAGES.get(denial, exc.message)
        return gettext("Refused: %(reason)s The refusal has been logged.") % {"reason": reason}
    return f"{exc.message} {_details(exc.fields)}".strip()


class RevealViews(ScopedTicketAdmin):
    # -- identity reveal (four eyes), each view one service, outside any transaction --

    def reveal_request_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The "Minta pembukaan identitas" form: an officer of the unit files a request."""
        report = self._scoped(request, str(pk))
        try:
            report_reveal_request_create(
                report=report,
                actor=_user(request),
                reason_code=request.POST.get("reason_code", ""),
                justification=request.POST.get("justification", ""),
                fields=request.POST.getlist("fields"),
            )
        except ApplicationError as exc:
            self.message_user(request, _refusal(exc), messages.ERROR)
        else:
            self.message_user(
                request, gettext("Reveal request filed; a supervisor of the unit must grant it.")
            )
        return self._back(report)

    def reveal_grant_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A supervisor of the unit (not the requester) grants one of the ticket's requests."""
        report = self._scoped(request, str(pk))
        actor = _user(request)
        try:
            reveal_request = selectors_reveal.report_reveal_request_get_for_user(
                user=actor, report=report, public_id=request.POST.get("request", "")
            )
        except NotFound:
            raise Http404 from None
        hours = request.POST.get("ttl_hours", "").strip()
        try:
            if hours and not (hours.isascii() and hours.isdigit()):  # "²".isdigit() too
                raise ApplicationError(fields={"ttl_hours": [gettext("Not a number.")]})
            granted = report_reveal_grant(
                reveal_request=reveal_request, actor=actor, ttl_hours=int(hours) if hours else None
            )
        except ApplicationError as exc:
            self.message_user(request, _refusal(exc), messages.ERROR)
        else:
            expires = timezone.localtime(granted.expires_at) if granted.expires_at else None
            self.message_user(
                request,
                gettext("Reveal request granted until %(at)s.")
                % {"at": expires.strftime("%Y-%m-%d %H:%M") if expires else "-"},
            )
        return self._back(report)

    def reveal_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The requester reveals the granted fields: shown once, on a ``no-store`` page."""
        report = self._scoped(request, str(pk))
        fields = request.POST.getlist("fields")
        try:
            identity = report_identity_reveal(report=report, actor=_user(request), fields=fields)
        except ApplicationError as exc:
            self.message_user(request, _refusal(exc), messages.ERROR)
            return self._back(report)
        labels = dict(IdentityField.choices)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Reporter identity for %(id)s") % {"id": report.public_id},
            "ticket": report,
            "identity": [(labels.get(name, name), value) for name, value in identity.items()],
            "revealed_at": timezone.now(),
        }
        response = TemplateResponse(
            request, "admin/reports/report/reveal_result.html", context
        ).render()
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response
