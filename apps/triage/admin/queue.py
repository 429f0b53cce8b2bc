"""The triage admin (docs/triage.md): a scoped ticket queue and one button per decision.

Every list, page, photo and action goes through ``apps.triage.selectors.scope`` (the same
scope as the staff API and the exports) and every decision through one service in
``apps.triage.services``. No reporter data appears anywhere here: not the pseudonym, not
the identity. The ``ReportAdmin`` is put together from its parts: the queue (this module),
its filters (``filters``), the ticket page (``ticket_page``) and the four-eyes identity
reveal (``reveal``).
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.urls import URLPattern, path
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from apps.accounts.requests import request_user
from apps.accounts.selectors import user_get_by_username
from apps.core.admin_search import IdentifierSearchMixin, upper
from apps.core.errors import ApplicationError, NotFound
from apps.identity.admin import is_dpo
from apps.reports.models import Report
from apps.triage import services
from apps.triage.admin import forms as admin_forms
from apps.triage.admin.audit import AuditViews
from apps.triage.admin.common import _details, _duration
from apps.triage.admin.filters import (
    AssigneeFilter,
    CategoryFilter,
    CreatedRangeFilter,
    KecamatanFilter,
    KelurahanFilter,
    KotaFilter,
    OutcomeFilter,
    SlaStateFilter,
    StatusFilter,
    TriageActionForm,
    UnitFilter,
)
from apps.triage.admin.reveal_list import RevealListViews
from apps.triage.admin.ticket_page import TicketPage
from apps.triage.selectors import scope as selectors_staff

# ---- the admin -----------------------------------------------------------------------------


TICKET_FIELDS = (
    "public_id",
    "status",
    "category_link",
    "area_link",
    "agency_link",
    "assignee_link",
    "description",
    "address_hint",
    "occurred_at",
    "created_at",
    "provisional_due_at",
    "completed_at",
    "closed_at",
    "parent_link",
    "support_count",
)


# The query parameters the queue's own filters read (Django's own "q", "o", "p", "all", "e",
# "_facets" and "_popup" are handled before these are checked). Anything else, e.g. a model
# field such as ``reporter`` or a lookup such as ``created_at__year``, is refused.
QUEUE_PARAMETERS = frozenset(
    {
        "status__exact",
        "category",
        "kota",
        "kecamatan",
        "kelurahan",
        "sla",
        "created_from",
        "created_to",
        "unit",
        "assignee",
        "outcome",
    }
)


# Django's own change-list parameters: search, ordering, page, show all, error flag, facets,
# popup and its "to field".
DJANGO_PARAMETERS = frozenset({"q", "o", "p", "all", "e", "_facets", "_popup", "_to_field"})


@admin.register(Report)
class ReportAdmin(IdentifierSearchMixin, TicketPage, RevealListViews, AuditViews, admin.ModelAdmin):
    # The SLA column comes second: on a phone the rows become cards (triage.css) and the
    # time left stays next to the ticket id.
    list_display = [
        "public_id",
        "sla_display",
        "status",
        "category_name",
        "kelurahan",
        "unit",
        "assignee_name",
        "age_display",
    ]
    list_filter = [
        ("status", StatusFilter),
        CategoryFilter,
        KotaFilter,
        KecamatanFilter,
        KelurahanFilter,
        SlaStateFilter,
        ("created_at", CreatedRangeFilter),
        OutcomeFilter,
        UnitFilter,
        AssigneeFilter,
    ]
    search_fields = ["=public_id"]
    identifier_search = {"public_id": upper}  # on the unique index
    search_help_text = _("Search by public id, e.g. LW-7K3QX9.")
    show_full_result_count = False
    list_per_page = 50
    action_form = TriageActionForm
    actions = ["bulk_take", "bulk_assign"]
    change_form_template = "admin/reports/report/change_form.html"
    change_list_template = "admin/reports/report/change_list.html"
    fields = TICKET_FIELDS
    readonly_fields = TICKET_FIELDS

    class Media:
        css = {"all": ["triage/triage.css"]}
        js = ["triage/triage.js"]

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        """The staff queue's order (open tickets, least SLA time left first; then closed)."""
        return selectors_staff.queue_ordering()

    # -- scope: the one selector --

    def get_queryset(self, request: HttpRequest) -> QuerySet[Report]:
        return selectors_staff.report_list_for_user(user=request_user(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # decisions go through the action buttons (services), never the form

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """An unknown query parameter (a hand-edited or outdated link) is dropped with a
        message naming it, and the queue is shown: never a bare "Bad Request (400)"."""
        unknown = sorted(
            key for key in request.GET if key not in QUEUE_PARAMETERS | DJANGO_PARAMETERS
        )
        if unknown:
            kept = request.GET.copy()
            for key in unknown:
                kept.pop(key)
            self.message_user(
                request,
                gettext("This queue has no filter named %(names)s; it was left out.")
                % {"names": ", ".join(f"“{key[:40]}”" for key in unknown)},
                messages.WARNING,
            )
            query = kept.urlencode()
            return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)
        hint = {"empty_hint": self._empty_hint(request)}
        return super().changelist_view(request, {**(extra_context or {}), **hint})

    def _empty_hint(self, request: HttpRequest) -> str:
        """Why the queue may be empty, for this user (shown only when it is)."""
        if any(key in QUEUE_PARAMETERS or key == "q" for key in request.GET):
            return gettext("No ticket matches these filters. Remove a filter to see more.")
        user = request_user(request)
        scope = selectors_staff.staff_scope_for_user(user=user)
        if scope.reads_all:
            return gettext("There are no tickets yet.")
        if selectors_staff.user_is_central_triage(user=user):
            return gettext(
                "Central triage receives the reports that routing could not give to a unit "
                "and the reports a unit sends back as not its authority (bukan wewenang). "
                "None is waiting now: every new report went straight to its unit."
            )
        if not (scope.view_agency_ids or scope.monitor_area_codes) and is_dpo(request):
            return gettext(
                "As the data protection officer you see no tickets here: you read the identity "
                "reveal audit trail (on the start page), and each ticket it names as metadata "
                "only, never the reporter's identity."
            )
        if not (scope.view_agency_ids or scope.monitor_area_codes):
            return gettext(
                "You are not a member of any unit, so no ticket is yours to see here. If you "
                "should be, ask an administrator to add you to your unit."
            )
        return gettext("Your unit holds no tickets right now.")

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        """Only the declared filters' parameters: no grouping by reporter, no raw lookups.

        Django answers a refused parameter with its 400 page (``DisallowedModelAdminLookup``,
        logged as a security event).
        """
        return lookup in QUEUE_PARAMETERS

    # -- list columns --

    @admin.display(description=_("category"), ordering="category__code")
    def category_name(self, obj: Report) -> str:
        return obj.category.name_id

    @admin.display(description=_("kelurahan"), ordering="area__name")
    def kelurahan(self, obj: Report) -> str:
        return obj.area.name if obj.area is not None else str(obj.get_location_precision_display())

    @admin.display(description=_("unit"), ordering="agency__code")
    def unit(self, obj: Report) -> str:
        return obj.agency.short_name or obj.agency.name

    @admin.display(description=_("assignee"), ordering="assignee__username")
    def assignee_name(self, obj: Report) -> str:
        return obj.assignee.username if obj.assignee else "-"

    @admin.display(description=_("age"), ordering="created_at")
    def age_display(self, obj: Report) -> str:
        return _duration(getattr(obj, "age", None))

    @admin.display(description=_("SLA time left"), ordering="sla_due_at")
    def sla_display(self, obj: Report) -> str:
        left: timedelta | None = getattr(obj, "sla_left", None)
        if obj.status in Report.CLOSED_STATUSES or left is None:
            return format_html('<span class="lw-sla lw-sla-closed">{}</span>', "-")
        state = (
            "overdue" if left.total_seconds() < 0 else "soon" if left < timedelta(days=1) else "ok"
        )
        return format_html('<span class="lw-sla lw-sla-{}">{}</span>', state, _duration(left))

    # -- bulk actions (safe ones only) --

    @admin.action(description=_("Claim the selected tickets"))
    def bulk_take(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._bulk(
            request,
            queryset,
            lambda report: services.report_take(report=report, actor=request_user(request)),
        )

    @admin.action(description=_("Assign the selected tickets to the officer named below"))
    def bulk_assign(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        username = request.POST.get("assignee", "").strip()
        assignee = user_get_by_username(username=username)
        if assignee is None:
            self.message_user(request, gettext("Name an officer (username)."), messages.ERROR)
            return
        self._bulk(
            request,
            queryset,
            lambda report: services.report_assign(
                report=report, actor=request_user(request), assignee=assignee
            ),
        )

    def response_action(
        self, request: HttpRequest, queryset: QuerySet[Report]
    ) -> HttpResponse | None:
        """Refuse a malformed selection or officer name with a message, changing nothing.

        Django's own handling filters ``pk__in`` with the raw ids (a non-integer is a 500)
        and answers an invalid action form with "No action selected".
        """
        form = admin_forms.BulkActionInputForm(request.POST)
        if not form.is_valid():
            self.message_user(request, _details(admin_forms.form_errors(form)), messages.ERROR)
            return None  # Django then redirects back to the list
        return super().response_action(request, queryset)

    def _bulk(
        self, request: HttpRequest, queryset: QuerySet[Report], work: Callable[[Report], Any]
    ) -> None:
        done, failed = 0, []
        for report in queryset:
            try:
                work(report)
                done += 1
            except (ApplicationError, NotFound) as exc:
                failed.append(f"{report.public_id}: {exc.message}")
        if done:
            self.message_user(request, gettext("%(n)s ticket(s) updated.") % {"n": done})
        for line in failed:
            self.message_user(request, line, messages.ERROR)

    # -- extra views --

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        extra = [
            path(
                "<int:pk>/photo/<int:n>/",
                self.admin_site.admin_view(self.photo_view),
                name="{}_{}_photo".format(*info),
            ),
            path(
                "<int:pk>/photo/<int:n>/thumbnail/",
                self.admin_site.admin_view(self.thumbnail_view),
                name="{}_{}_thumbnail".format(*info),
            ),
            path(
                "<int:pk>/act/<slug:action>/",
                self.admin_site.admin_view(require_POST(self.act_view)),
                name="{}_{}_act".format(*info),
            ),
            path(
                "<int:pk>/reveal/request/",
                self.admin_site.admin_view(require_POST(self.reveal_request_view)),
                name="{}_{}_reveal_request".format(*info),
            ),
            path(
                "<int:pk>/reveal/grant/",
                self.admin_site.admin_view(require_POST(self.reveal_grant_view)),
                name="{}_{}_reveal_grant".format(*info),
            ),
            path(
                "<int:pk>/reveal/reject/",
                self.admin_site.admin_view(require_POST(self.reveal_reject_view)),
                name="{}_{}_reveal_reject".format(*info),
            ),
            path(
                "reveal-requests/",
                self.admin_site.admin_view(self.reveal_requests_view),
                name="{}_{}_reveal_requests".format(*info),
            ),
            path(
                "reveal-requests/decide/",
                self.admin_site.admin_view(require_POST(self.reveal_decision_view)),
                name="{}_{}_reveal_decide".format(*info),
            ),
            path(
                "identity-audit/",
                self.admin_site.admin_view(self.audit_view),
                name="{}_{}_identity_audit".format(*info),
            ),
            path(
                "identity-audit/<int:pk>/",
                self.admin_site.admin_view(self.audit_ticket_view),
                name="{}_{}_identity_audit_ticket".format(*info),
            ),
            path(
                "<int:pk>/reveal/",
                self.admin_site.admin_view(require_POST(self.reveal_view)),
                name="{}_{}_reveal".format(*info),
            ),
        ]
        return extra + super().get_urls()
