"""The data protection officer's pages: the reveal audit trail and a ticket's metadata.

The DPO (group ``dpo``) reads who saw or asked to see a reporter's identity, for which
ticket, which fields, why and who decided; a ticket link opens its metadata (public id,
category, area, unit, status), never the reporter (docs/privacy.md, "Reveal").
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext

from apps.accounts.requests import request_user
from apps.core.errors import NotFound
from apps.identity.admin import is_dpo
from apps.triage.admin.common import ScopedTicketAdmin
from apps.triage.selectors import audit as selectors_audit


class AuditViews(ScopedTicketAdmin):
    def audit_view(self, request: HttpRequest) -> HttpResponse:
        if not is_dpo(request):
            raise PermissionDenied
        page, rows = selectors_audit.audit_page(page=request.GET.get("p"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Identity reveal audit trail"),
            "page": page,
            "rows": rows,
        }
        return TemplateResponse(request, "admin/reports/report/audit.html", context)

    def audit_ticket_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not is_dpo(request):
            raise PermissionDenied
        try:
            ticket, rows = selectors_audit.audit_ticket_for_dpo(user=request_user(request), pk=pk)
        except NotFound:
            raise Http404 from None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Ticket %(id)s: metadata and audit trail") % {"id": ticket.public_id},
            "ticket": ticket,
            "rows": rows,
        }
        return TemplateResponse(request, "admin/reports/report/audit_ticket.html", context)
