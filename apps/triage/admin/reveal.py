"""The four-eyes identity reveal from the ticket page (docs/privacy.md).

A granted reveal is shown once, on its own ``no-store`` page rendered in the answer to the
POST (never stored in the session or in a message), and every step, refusals included, is
logged by the identity services.
"""

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext

from apps.core.errors import ApplicationError, NotFound
from apps.identity.errors import ReporterErased, RevealDenied
from apps.identity.models import IdentityField, RevealRequest
from apps.triage.admin.common import ScopedTicketAdmin, _user
from apps.triage.reveal_text import DENIAL_MESSAGES, input_errors
from apps.triage.selectors import reveal as selectors_reveal
from apps.triage.services.reveal import (
    report_identity_reveal,
    report_reveal_grant,
    report_reveal_reject,
    report_reveal_request_create,
)


def _refusal(exc: ApplicationError) -> str:
    """An admin error message for a refused step; denials say they were logged."""
    if isinstance(exc, (RevealDenied, ReporterErased)):
        denial = str(exc.extra.get("denial", ""))
        reason = DENIAL_MESSAGES.get(denial, exc.message)
        return gettext("Refused: %(reason)s The refusal has been logged.") % {"reason": reason}
    return f"{exc.message} {input_errors(exc.fields)}".strip()


class RevealViews(ScopedTicketAdmin):
    def reveal_decide(
        self, request: HttpRequest, reveal_request: RevealRequest, *, approve: bool
    ) -> bool:
        """Grant (``ttl_hours``) or reject (``reason``) from a POST; the outcome as a message.
        Shared by the ticket page and the supervisors' list of pending requests."""
        actor = _user(request)
        try:
            if approve:
                hours = request.POST.get("ttl_hours", "").strip()
                if hours and not (hours.isascii() and hours.isdigit()):  # "²".isdigit() too
                    raise ApplicationError(fields={"ttl_hours": [gettext("Not a number.")]})
                granted = report_reveal_grant(
                    reveal_request=reveal_request,
                    actor=actor,
                    ttl_hours=int(hours) if hours else None,
                )
            else:
                report_reveal_reject(
                    reveal_request=reveal_request,
                    actor=actor,
                    reason=request.POST.get("reason", ""),
                )
        except ApplicationError as exc:
            self.message_user(request, _refusal(exc), messages.ERROR)
            return False
        if approve:
            expires = timezone.localtime(granted.expires_at) if granted.expires_at else None
            message = gettext("Reveal request for %(ticket)s granted until %(at)s.") % {
                "ticket": reveal_request.ticket_ref,
                "at": expires.strftime("%Y-%m-%d %H:%M") if expires else "-",
            }
        else:
            message = gettext(
                "Reveal request for %(ticket)s rejected; the requester sees the reason."
            ) % {"ticket": reveal_request.ticket_ref}
        self.message_user(request, message)
        return True

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
        self.reveal_decide(request, reveal_request, approve=True)
        return self._back(report)

    def reveal_reject_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A supervisor of the unit (not the requester) rejects one of the ticket's requests."""
        report = self._scoped(request, str(pk))
        try:
            reveal_request = selectors_reveal.report_reveal_request_get_for_user(
                user=_user(request), report=report, public_id=request.POST.get("request", "")
            )
        except NotFound:
            raise Http404 from None
        self.reveal_decide(request, reveal_request, approve=False)
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
