"""The supervisors' list of pending reveal requests, with approve and reject (docs/triage.md).

The list holds the requests of the units the supervisor's scope supervises, except their own
(four eyes); a decision goes through the same services as on the ticket page, so two
supervisors deciding the same request at once decide it once.
"""

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext

from apps.accounts.requests import request_user
from apps.core.errors import NotFound
from apps.identity.services.reveal import GRANT_HOURS_MAX, GRANT_HOURS_MIN
from apps.triage.admin.reveal import RevealViews
from apps.triage.selectors import reveal as selectors_reveal
from apps.triage.selectors import scope as selectors_staff


class RevealListViews(RevealViews):
    def reveal_requests_view(self, request: HttpRequest) -> HttpResponse:
        """GET: the pending requests the user may decide (an empty list for everyone else)."""
        scope = selectors_staff.staff_scope_for_user(user=request_user(request))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Reveal requests waiting for your decision"),
            "rows": selectors_reveal.reveal_requests_pending_for_supervisor(scope=scope),
            "supervises": bool(scope.supervise_agency_ids),
            "grant_hours": (GRANT_HOURS_MIN, GRANT_HOURS_MAX),
        }
        return TemplateResponse(request, "admin/reports/report/reveal_requests.html", context)

    def reveal_decision_view(self, request: HttpRequest) -> HttpResponse:
        """POST ``request``, ``decision`` (approve or reject), ``ttl_hours`` or ``reason``."""
        decision = request.POST.get("decision", "")
        if decision not in ("approve", "reject"):
            raise Http404
        scope = selectors_staff.staff_scope_for_user(user=request_user(request))
        try:
            reveal_request = selectors_reveal.reveal_request_get_for_supervisor(
                scope=scope, public_id=request.POST.get("request", "")
            )
        except NotFound:
            raise Http404 from None
        self.reveal_decide(request, reveal_request, approve=decision == "approve")
        return HttpResponseRedirect(reverse("admin:reports_report_reveal_requests"))
