"""The triage admin (docs/triage.md): a scoped ticket queue and one button per decision.

Every list, page, photo and action goes through ``apps.triage.selectors.scope`` (the same
scope as the staff API and the exports) and every decision through one service in
``apps.reports.services``. No reporter data appears anywhere here: not the pseudonym, not
the identity. The four-eyes identity reveal (request, grant, reveal) is run from the ticket
page through ``apps.triage.services.reveal``; a granted reveal is shown once, on its own
``no-store`` page rendered in the answer to the POST (never stored in the session or in a
message), and every step, refusals included, is logged by the identity services.
"""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.gis.geos import MultiPolygon, Point
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from apps.accounts.models import User
from apps.core.admin_search import IdentifierSearchMixin, upper
from apps.core.errors import ApplicationError, NotFound
from apps.identity.errors import ReporterErased, RevealDenied
from apps.identity.models import IdentityField
from apps.reports.models import Report
from apps.routing.models import Area, Category
from apps.triage import services
from apps.triage.admin import forms as admin_forms
from apps.triage.models import CannedReason, ResponseTemplate
from apps.triage.selectors import reveal as selectors_reveal
from apps.triage.selectors import scope as selectors_staff
from apps.triage.selectors.scope import SLA_DUE_SOON, SLA_OK, SLA_OVERDUE
from apps.triage.services.actions import RejectReason, ReturnReason, koordinasi_pending
from apps.triage.services.reveal import (
    GRANT_HOURS_MAX,
    GRANT_HOURS_MIN,
    RevealReason,
    report_identity_reveal,
    report_reveal_grant,
    report_reveal_request_create,
)

MAP_SIZE = 320


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


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


def _details(fields: dict[str, list[str]]) -> str:
    """``field: message`` per refused field (a message alone when it names no field)."""
    return "; ".join(f"{k}: {' '.join(v)}" if k else " ".join(v) for k, v in fields.items())


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "-"
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours = rest // 3600
    return f"{sign}{days}d {hours}h" if days else f"{sign}{hours}h {rest % 3600 // 60}m"


# ---- list filters --------------------------------------------------------------------------


class _OfferedChoiceFilter(admin.SimpleListFilter):
    """A filter that applies only a value it offers; any other value is ignored.

    A hand-edited query string (an unknown code, a NUL byte) then shows the whole list with
    "All" selected, as the sidebar says, instead of an empty list or a database error.
    """

    def __init__(self, request: HttpRequest, params: Any, model: Any, model_admin: Any) -> None:
        super().__init__(request, params, model, model_admin)
        offered = {str(value) for value, _label in self.lookup_choices}
        if self.value() not in offered:
            self.used_parameters.pop(str(self.parameter_name), None)


class StatusFilter(admin.ChoicesFieldListFilter):
    """Django's status filter (``status__exact``), applying only the statuses it offers."""

    def __init__(
        self,
        field: Any,
        request: HttpRequest,
        params: Any,
        model: Any,
        model_admin: Any,
        field_path: str,
    ) -> None:
        super().__init__(field, request, params, model, model_admin, field_path)
        offered = {str(value) for value, _label in self.field.flatchoices}
        used: dict[str, Any] = self.used_parameters  # Django keeps a list of values here
        values = [value for value in used.pop(self.lookup_kwarg, []) if value in offered]
        if values:
            used[self.lookup_kwarg] = values
        self.lookup_val = values or None  # type: ignore[assignment]  # a list, as Django's own

    def expected_parameters(self) -> list[str | None]:
        return [self.lookup_kwarg]  # the status is never empty: no "__isnull" choice


class SlaStateFilter(_OfferedChoiceFilter):
    title = _("SLA state")
    parameter_name = "sla"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            (SLA_OVERDUE, _("Overdue")),
            (SLA_DUE_SOON, _("Due within 24 hours")),
            (SLA_OK, _("On time")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Report]) -> QuerySet[Report]:
        return selectors_staff.report_queue_filter(queryset, sla=self.value())


class CreatedRangeFilter(admin.FieldListFilter):
    """Reported between two Jakarta calendar days (inclusive), with two date inputs.

    The same ``report_queue_filter`` as the staff API's ``created_from`` / ``created_to``.
    A malformed date is ignored (shown back empty) rather than failing the page.
    """

    template = "admin/reports/created_range_filter.html"

    def __init__(
        self,
        field: Any,
        request: HttpRequest,
        params: Any,
        model: Any,
        model_admin: Any,
        field_path: str,
    ) -> None:
        self.from_param = "created_from"
        self.to_param = "created_to"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.values = {  # the base class moved our parameters into used_parameters
            name: _parse_day(self.used_parameters.get(name))
            for name in (self.from_param, self.to_param)
        }

    def expected_parameters(self) -> list[str | None]:
        return [self.from_param, self.to_param]

    def has_output(self) -> bool:
        return True

    def queryset(self, request: HttpRequest, queryset: QuerySet[Report]) -> QuerySet[Report]:
        return selectors_staff.report_queue_filter(
            queryset,
            created_from=self.values[self.from_param],
            created_to=self.values[self.to_param],
        )

    def choices(self, changelist: Any) -> Any:
        keep = {
            key: value
            for key, value in changelist.get_filters_params().items()
            if key not in (self.from_param, self.to_param)
        }
        yield {
            "keep": [(key, item) for key, values in keep.items() for item in _as_list(values)],
            "from_value": self.values[self.from_param] or "",
            "to_value": self.values[self.to_param] or "",
            "from_param": self.from_param,
            "to_param": self.to_param,
            "reset_url": changelist.get_query_string(remove=[self.from_param, self.to_param]),
        }


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _parse_day(value: Any) -> date | None:
    raw = value[-1] if isinstance(value, list) else value
    try:
        return date.fromisoformat(raw) if raw else None
    except (TypeError, ValueError):
        return None


class CategoryFilter(_OfferedChoiceFilter):
    title = _("category")
    parameter_name = "category"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(c.code, c.name_id) for c in Category.objects.order_by("sort_order", "code")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Report]) -> QuerySet[Report]:
        return selectors_staff.report_queue_filter(queryset, category=self.value())


def _code(value: object) -> str | None:
    """A code from the query string, or None if it can name nothing (empty, a NUL byte)."""
    return value if isinstance(value, str) and value and "\x00" not in value else None


class _AreaFilter(_OfferedChoiceFilter):
    """Kota, then its kecamatan, then its kelurahan: each list appears once its parent is set."""

    level: str = Area.Level.KOTA
    parent_parameter: str | None = None

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        areas = Area.objects.filter(level=self.level).defer("boundary").order_by("code")
        if self.parent_parameter is None:
            return [(a.code, a.name) for a in areas]
        parent = _code(request.GET.get(self.parent_parameter))
        if parent:
            children = [(a.code, a.name) for a in areas.filter(parent__code=parent)]
            if children:
                return children
        code = _code(self.value())
        if code:
            # a link straight to one area (no parent chosen, or one that names no area): offer
            # just that one, so the filter is applied (a filter without choices is dropped)
            return [(a.code, a.name) for a in areas.filter(code=code)]
        return []

    def queryset(self, request: HttpRequest, queryset: QuerySet[Report]) -> QuerySet[Report]:
        return selectors_staff.report_queue_filter(queryset, area_code=self.value())


class KotaFilter(_AreaFilter):
    title = _("kota")
    parameter_name = "kota"


class KecamatanFilter(_AreaFilter):
    title = _("kecamatan")
    parameter_name = "kecamatan"
    level = Area.Level.KECAMATAN
    parent_parameter = "kota"


class KelurahanFilter(_AreaFilter):
    title = _("kelurahan")
    parameter_name = "kelurahan"
    level = Area.Level.KELURAHAN
    parent_parameter = "kecamatan"


class TriageActionForm(ActionForm):
    assignee = forms.CharField(label=_("Officer (username)"), required=False, max_length=150)


# ---- the map -------------------------------------------------------------------------------


def svg_map(*, boundary: MultiPolygon | None, point: Point, size: int = MAP_SIZE) -> dict[str, Any]:
    """The kelurahan outline and the report's point as SVG path data (no tiles, no network)."""
    if boundary is None:
        return {"size": size, "paths": [], "x": size / 2, "y": size / 2}
    shape = boundary.simplify(0.00002, preserve_topology=True)
    min_x, min_y, max_x, max_y = shape.extent
    min_x, max_x = min(min_x, point.x), max(max_x, point.x)
    min_y, max_y = min(min_y, point.y), max(max_y, point.y)
    span = max(max_x - min_x, max_y - min_y) or 0.001
    pad = size * 0.05
    scale = (size - 2 * pad) / span

    def project(x: float, y: float) -> tuple[float, float]:
        return round(pad + (x - min_x) * scale, 1), round(pad + (max_y - y) * scale, 1)

    paths: list[str] = []
    geometry: Any = shape
    polygons: list[Any] = list(geometry) if shape.geom_type == "MultiPolygon" else [geometry]
    for polygon in polygons:
        for ring in list(polygon):
            coords = [project(x, y) for x, y in ring.coords]
            paths.append("M" + " L".join(f"{x},{y}" for x, y in coords) + " Z")
    x, y = project(point.x, point.y)
    return {"size": size, "paths": paths, "x": x, "y": y}


# ---- the admin -----------------------------------------------------------------------------


TICKET_FIELDS = (
    "public_id",
    "status",
    "category",
    "area",
    "agency",
    "assignee",
    "description",
    "address_hint",
    "occurred_at",
    "created_at",
    "provisional_due_at",
    "completed_at",
    "closed_at",
    "parent",
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
    }
)


@admin.register(Report)
class ReportAdmin(IdentifierSearchMixin, admin.ModelAdmin):
    list_display = [
        "public_id",
        "category_name",
        "kelurahan",
        "unit",
        "assignee_name",
        "status",
        "age_display",
        "sla_display",
    ]
    list_filter = [
        ("status", StatusFilter),
        CategoryFilter,
        KotaFilter,
        KecamatanFilter,
        KelurahanFilter,
        SlaStateFilter,
        ("created_at", CreatedRangeFilter),
    ]
    search_fields = ["=public_id"]
    identifier_search = {"public_id": upper}  # on the unique index
    search_help_text = _("Search by public id, e.g. LW-7K3QX9.")
    show_full_result_count = False
    list_per_page = 50
    action_form = TriageActionForm
    actions = ["bulk_take", "bulk_assign"]
    change_form_template = "admin/reports/report/change_form.html"
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
        return selectors_staff.report_list_for_user(user=_user(request))

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

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        """Only the declared filters' parameters: no grouping by reporter, no raw lookups.

        Django answers a refused parameter with its 400 page (``DisallowedModelAdminLookup``,
        logged as a security event).
        """
        return lookup in QUEUE_PARAMETERS

    def _scoped(self, request: HttpRequest, object_id: str) -> Report:
        try:
            return selectors_staff.report_get_for_user_by_pk(user=_user(request), pk=int(object_id))
        except (NotFound, ValueError):
            raise Http404 from None

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
            lambda report: services.report_take(report=report, actor=_user(request)),
        )

    @admin.action(description=_("Assign the selected tickets to the officer named below"))
    def bulk_assign(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        username = request.POST.get("assignee", "").strip()
        assignee = User.objects.filter(username=username).first() if username else None
        if assignee is None:
            self.message_user(request, gettext("Name an officer (username)."), messages.ERROR)
            return
        self._bulk(
            request,
            queryset,
            lambda report: services.report_assign(
                report=report, actor=_user(request), assignee=assignee
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
                "<int:pk>/reveal/",
                self.admin_site.admin_view(require_POST(self.reveal_view)),
                name="{}_{}_reveal".format(*info),
            ),
        ]
        return extra + super().get_urls()

    def _photo(self, request: HttpRequest, pk: int, n: int, thumbnail: bool) -> HttpResponseBase:
        try:
            photo = selectors_staff.report_photo_get_for_staff(
                user=_user(request), report_pk=pk, index=n
            )
        except NotFound:
            raise Http404 from None
        field = photo.thumbnail if thumbnail else photo.image
        response = FileResponse(
            field.open("rb"), content_type="image/jpeg" if thumbnail else photo.content_type
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def photo_view(self, request: HttpRequest, pk: int, n: int) -> HttpResponseBase:
        return self._photo(request, pk, n, thumbnail=False)

    def thumbnail_view(self, request: HttpRequest, pk: int, n: int) -> HttpResponseBase:
        return self._photo(request, pk, n, thumbnail=True)

    def act_view(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        """One decision: find the ticket (may act), check the form, call its service."""
        if action not in admin_forms.ACTION_FORMS:
            raise Http404
        actor = _user(request)
        report = self._scoped(request, str(pk))
        scope = selectors_staff.staff_scope_for_user(user=actor)
        if not scope.can_act(report):
            raise Http404
        form = admin_forms.ACTION_FORMS[action](request.POST, request.FILES, user=actor)
        try:
            if not form.is_valid():
                raise ApplicationError(fields=admin_forms.form_errors(form))
            self._run(action=action, report=report, actor=actor, form=form, request=request)
        except ApplicationError as exc:
            self.message_user(
                request, f"{exc.message} {_details(exc.fields)}".strip(), messages.ERROR
            )
        else:
            self.message_user(request, gettext("Done: %(id)s.") % {"id": report.public_id})
            # A disposisi or koordinasi may hand the ticket to a unit outside one's scope:
            # back to the queue then, not to a ticket page that is now a 404.
            if not selectors_staff.report_list_for_user(user=actor).filter(pk=pk).exists():
                return HttpResponseRedirect(reverse("admin:reports_report_changelist"))
        return HttpResponseRedirect(reverse("admin:reports_report_change", args=[pk]))

    def _run(
        self, *, action: str, report: Report, actor: User, form: forms.Form, request: HttpRequest
    ) -> None:
        # free text goes to the services as posted (they clean it); objects come from the form
        data, cleaned = request.POST, form.cleaned_data
        note = data.get("note", "")
        if action == "take":
            services.report_take(report=report, actor=actor)
        elif action == "assign":
            services.report_assign(report=report, actor=actor, assignee=cleaned["assignee"])
        elif action == "start":
            services.report_start(report=report, actor=actor, note=note)
        elif action == "disposisi":
            services.report_disposisi(
                report=report, actor=actor, to_agency=cleaned["to_agency"], note=note
            )
        elif action == "koordinasi":
            services.report_koordinasi(
                report=report,
                actor=actor,
                to_agency=cleaned["to_agency"],
                reason=data.get("reason", ""),
            )
        elif action == "koordinasi_accept":
            services.report_koordinasi_accept(report=report, actor=actor, note=note)
        elif action == "koordinasi_decline":
            services.report_koordinasi_decline(
                report=report, actor=actor, reason=data.get("reason", "")
            )
        elif action == "return":
            services.report_return_to_triage(
                report=report, actor=actor, reason_code=data.get("reason_code", ""), note=note
            )
        elif action == "request_info":
            services.report_request_info(
                report=report, actor=actor, question=data.get("question", "")
            )
        elif action == "resume":
            services.report_resume(report=report, actor=actor, note=note)
        elif action == "complete":
            services.report_complete(
                report=report,
                actor=actor,
                note=note,
                photo=request.FILES.get("photo"),
                geotag=cleaned["geotag"],
            )
        elif action == "reject":
            services.report_reject(
                report=report, actor=actor, reason_code=data.get("reason_code", ""), note=note
            )
        elif action == "merge":
            services.report_merge(report=report, parent=cleaned["parent"], actor=actor, note=note)

    # -- identity reveal (four eyes), each view one service, outside any transaction --

    def _back(self, report: Report) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:reports_report_change", args=[report.pk]))

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

    # -- the change (view) page --

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        report = self._scoped(request, object_id)
        actor = _user(request)
        scope = selectors_staff.staff_scope_for_user(user=actor)
        boundary = (
            Area.objects.filter(pk=report.area_id).values_list("boundary", flat=True).first()
            if report.area_id is not None
            else None
        )
        context = {
            **(extra_context or {}),
            "ticket": report,
            "can_act": scope.can_act(report),
            "can_supervise": scope.can_supervise(report),
            "monitor_only": scope.is_monitor_only,
            "photos": selectors_staff.report_photos_for_staff(report=report),
            "timeline": selectors_staff.report_timeline_for_staff(report=report, scope=scope),
            "nearby": selectors_staff.report_nearby_open_for_staff(
                report=report, user=actor, scope=scope
            ),
            "map": (
                svg_map(boundary=boundary, point=report.location)
                if report.location is not None
                else None
            ),
            "allowed": sorted(Report.TRANSITIONS[report.status]),
            "koordinasi_pending": koordinasi_pending(report=report) is not None,
            "suku_dinas": selectors_staff.disposisi_targets(agency=report.agency).filter(
                is_active=True
            ),
            "officers": selectors_staff.agency_officers(agency=report.agency),
            "reject_reasons": RejectReason.choices,
            "return_reasons": ReturnReason.choices,
            "reveal_request_url": reverse("identity-reveal-requests"),
            "reveal_requests": selectors_reveal.report_reveal_rows_for_user(
                user=actor, report=report, scope=scope
            ),
            "reveal_reasons": RevealReason.choices,
            "identity_fields": IdentityField.choices,
            "grant_hours": (GRANT_HOURS_MIN, GRANT_HOURS_MAX),
            "reporter_erased": report.reporter.erased_at is not None,
            "templates": list(selectors_staff.response_templates_for(report=report)),
            "reasons": list(selectors_staff.canned_reasons_for(agency=report.agency)),
            "now": timezone.now(),
        }
        return super().change_view(request, object_id, form_url, extra_context=context)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._scoped(request, object_id)
        return super().history_view(request, object_id, extra_context)


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "purpose", "category", "is_active", "sort_order"]
    list_filter = ["purpose", "is_active", "category"]
    search_fields = ["title", "body"]
    list_select_related = ["category"]
    show_full_result_count = False


@admin.register(CannedReason)
class CannedReasonAdmin(admin.ModelAdmin):
    list_display = ["text", "purpose", "agency", "is_active"]
    list_filter = ["purpose", "is_active"]
    search_fields = ["text", "agency__code", "agency__name"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    show_full_result_count = False
