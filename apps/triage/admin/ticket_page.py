"""The ticket page: the change view, its photos and one POST per decision (docs/triage.md)."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.gis.geos import MultiPolygon, Point
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from apps.accounts.requests import request_user
from apps.core.errors import ApplicationError, NotFound
from apps.identity.models import IdentityField
from apps.identity.services.reveal import GRANT_HOURS_MAX, GRANT_HOURS_MIN
from apps.reports.models import Report
from apps.routing.models import Area
from apps.triage.actions import ACTIONS
from apps.triage.admin.action_panel import action_panel, error_lists, labelled
from apps.triage.admin.common import ScopedTicketAdmin
from apps.triage.selectors import reveal as selectors_reveal
from apps.triage.selectors import scope as selectors_staff
from apps.triage.selectors.timeline import event_destinations, report_timeline_for_staff
from apps.triage.services.reveal import RevealReason

MAP_SIZE = 320


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


def _label(name: str) -> Any:
    return getattr(Report._meta.get_field(name), "verbose_name", name)


class TicketPage(ScopedTicketAdmin):
    # -- the related objects: a link where the user may open its admin page, text otherwise --
    # (Django links every read-only foreign key, and an officer got a bare 403 behind
    # "Kategori", "Kelurahan" and "Unit".)

    def _related(self, request: HttpRequest | None, obj: Any) -> str:
        if obj is None:
            return "-"
        model_admin = self.admin_site._registry.get(type(obj))
        if request is None or model_admin is None:
            return str(obj)
        if not model_admin.has_view_permission(request, obj):
            return str(obj)
        info = obj._meta.app_label, obj._meta.model_name
        url = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj)

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._lw_request = request  # the display methods below get only the object
        return obj

    @admin.display(description=_label("category"))
    def category_link(self, obj: Report) -> str:
        return self._related(getattr(obj, "_lw_request", None), obj.category)

    @admin.display(description=_label("area"))
    def area_link(self, obj: Report) -> str:
        return self._related(getattr(obj, "_lw_request", None), obj.area)

    @admin.display(description=_label("agency"))
    def agency_link(self, obj: Report) -> str:
        return self._related(getattr(obj, "_lw_request", None), obj.agency)

    @admin.display(description=_label("assignee"))
    def assignee_link(self, obj: Report) -> str:
        return self._related(getattr(obj, "_lw_request", None), obj.assignee)

    @admin.display(description=_label("parent"))
    def parent_link(self, obj: Report) -> str:
        """The parent ticket: a link if it is in the user's scope, its public id otherwise."""
        parent = obj.parent
        request = getattr(obj, "_lw_request", None)
        if parent is None:
            return "-"
        if request is None or not selectors_staff.report_in_scope(
            user=request_user(request), pk=parent.pk
        ):
            return parent.public_id
        url = reverse("admin:reports_report_change", args=[parent.pk])
        return format_html('<a href="{}">{}</a>', url, parent.public_id)

    def _photo(self, request: HttpRequest, pk: int, n: int, thumbnail: bool) -> HttpResponseBase:
        try:
            photo = selectors_staff.report_photo_get_for_staff(
                user=request_user(request), report_pk=pk, index=n
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
        """One decision: find the ticket (may act), check the input, run its table entry."""
        entry = ACTIONS.get(action)
        if entry is None:
            raise Http404
        actor = request_user(request)
        report = self._scoped(request, str(pk))
        scope = selectors_staff.staff_scope_for_user(user=actor)
        if not entry.permission(scope, report):
            raise Http404
        data = request.POST.copy()
        data.update(request.FILES)  # type: ignore[arg-type]  # as DRF merges a multipart body
        serializer = entry.input(data=data, context={"form_encoded": True})
        try:
            if not serializer.is_valid():
                raise ApplicationError(fields=error_lists(serializer.errors))
            done = entry.run(report=report, actor=actor, data=dict(serializer.validated_data))
        except ApplicationError as exc:
            self.message_user(
                request, f"{exc.message} {labelled(exc.fields)}".strip(), messages.ERROR
            )
        else:
            self.message_user(request, done)
            # A disposisi or koordinasi may hand the ticket to a unit outside one's scope:
            # back to the queue then, not to a ticket page that is now a 404.
            if not selectors_staff.report_in_scope(user=actor, pk=pk):
                return HttpResponseRedirect(reverse("admin:reports_report_changelist"))
        return HttpResponseRedirect(reverse("admin:reports_report_change", args=[pk]))

    # -- the change (view) page --

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        report = self._scoped(request, object_id)
        actor = request_user(request)
        scope = selectors_staff.staff_scope_for_user(user=actor)
        boundary = (
            Area.objects.filter(pk=report.area_id).values_list("boundary", flat=True).first()
            if report.area_id is not None
            else None
        )
        nearby = list(
            selectors_staff.report_nearby_open_for_staff(report=report, user=actor, scope=scope)
        )
        timeline = list(report_timeline_for_staff(report=report, scope=scope))
        destinations = event_destinations(events=timeline)
        for event in timeline:
            event.to_unit = destinations.get(event.pk)  # type: ignore[attr-defined]
        templates = list(selectors_staff.response_templates_for(report=report))
        reasons = list(selectors_staff.canned_reasons_for(agency=report.agency))
        context = {
            **(extra_context or {}),
            "ticket": report,
            "can_act": scope.can_act(report),
            "can_supervise": scope.can_supervise(report),
            "monitor_only": scope.is_monitor_only,
            "photos": selectors_staff.report_photos_for_staff(report=report),
            "timeline": timeline,
            "nearby": nearby,
            "map": (
                svg_map(boundary=boundary, point=report.location)
                if report.location is not None
                else None
            ),
            "actions": (
                action_panel(
                    report=report,
                    can_supervise=scope.can_supervise(report),
                    nearby=nearby,
                    templates=templates,
                    reasons=reasons,
                )
                if scope.can_act(report)
                else []
            ),
            "supervises_any": bool(scope.supervise_agency_ids),
            "reveal_requests": selectors_reveal.report_reveal_rows_for_user(
                user=actor, report=report, scope=scope
            ),
            "reveal_reasons": RevealReason.choices,
            "identity_fields": IdentityField.choices,
            "grant_hours": (GRANT_HOURS_MIN, GRANT_HOURS_MAX),
            "reporter_erased": report.reporter.erased_at is not None,
            "now": timezone.now(),
        }
        return super().change_view(request, object_id, form_url, extra_context=context)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._scoped(request, object_id)
        return super().history_view(request, object_id, extra_context)
