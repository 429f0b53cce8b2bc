"""The monitoring dashboard's pages and map data (docs/dashboard.md). Thin: each view asks
the selectors and renders; bad query parameters are a 400 in the one JSON error shape."""

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.gzip import gzip_page
from django.views.decorators.vary import vary_on_headers

from apps.accounts.models import User
from apps.core.api.handlers import error_body
from apps.core.errors import ApplicationError, Forbidden, NotFound
from apps.dashboard import selectors
from apps.dashboard.charts import trend_chart_svg
from apps.reports.models import Report
from apps.triage.selectors.scope import DUE_SOON

SHADES = ("open", "ontime")
MAX_QUERY_VALUE = 200


def _error(exc: ApplicationError) -> JsonResponse:
    return JsonResponse(error_body(exc.code, exc.message, exc.fields), status=exc.status)


def _checked(request: HttpRequest, form_class: type[forms.Form], *, allowed: set[str]) -> Any:
    """The cleaned query, or ApplicationError(400) naming each bad parameter: unknown
    names, repeated names, overlong values and values the form refuses."""
    problems: dict[str, list[str]] = {}
    for name in request.GET:
        values = request.GET.getlist(name)
        if name not in allowed:
            problems[name[:40]] = [str(_("Unknown parameter."))]
        elif len(values) > 1:
            problems[name] = [str(_("Give this parameter once."))]
        elif len(values[0]) > MAX_QUERY_VALUE or "\x00" in values[0]:
            problems[name] = [str(_("This value is not acceptable."))]
    if problems:
        raise ApplicationError(fields=problems)
    form = form_class(request.GET)
    if not form.is_valid():
        raise ApplicationError(fields={k: [str(m) for m in v] for k, v in form.errors.items()})
    return form.cleaned_data


class ShadeForm(forms.Form):
    warna = forms.ChoiceField(choices=[(s, s) for s in SHADES], required=False)


class ClusterForm(forms.Form):
    z = forms.IntegerField(min_value=0, max_value=22)
    bbox = forms.CharField()

    def clean_bbox(self) -> tuple[float, float, float, float]:
        parts = self.cleaned_data["bbox"].split(",")
        try:
            values = tuple(float(p) for p in parts)
        except ValueError:
            raise forms.ValidationError(_("Give four numbers: west,south,east,north.")) from None
        if len(values) != 4 or any(v != v or v in (float("inf"), float("-inf")) for v in values):
            raise forms.ValidationError(_("Give four numbers: west,south,east,north."))
        west, south, east, north = values
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise forms.ValidationError(_("The box must be west < east and south < north."))
        return (west, south, east, north)


class NoQueryForm(forms.Form):
    pass


def _page_context(*, area: Any) -> dict[str, Any]:
    summary = selectors.summary_for(area=area)
    trend = selectors.weekly_trend(area=area)
    best, worst = selectors.units_ranked(area=area)
    return {
        "summary": summary,
        "trend": trend,
        "trend_svg": trend_chart_svg(weeks=trend),
        "categories": selectors.top_categories(area=area),
        "best": best,
        "worst": worst,
        "min_outcomes": selectors.MIN_OUTCOMES,
        "refresh": selectors.last_refresh(),
        **_tiles(),
    }


def _tiles() -> dict[str, str]:
    return {
        "tile_url": settings.DASHBOARD_TILE_URL,
        "tile_attribution": settings.DASHBOARD_TILE_ATTRIBUTION,
    }


@method_decorator(vary_on_headers("Cookie", "Accept-Language"), name="dispatch")
@method_decorator(cache_control(public=True, max_age=60), name="dispatch")
class CityPageView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            query = _checked(request, ShadeForm, allowed={"warna"})
        except ApplicationError as exc:
            return _error(exc)
        city = selectors.city_map()
        table = sorted((f["properties"] for f in city["features"]), key=lambda p: (-p["o"], p["m"]))
        context = {
            **_page_context(area=None),
            "shade": query["warna"] or "open",
            "kelurahan_rows": table,
            "breaks": selectors.open_breaks(features=city["features"]),
            "map_url": reverse("dashboard:city-map"),
            "cluster_url": reverse("dashboard:clusters"),
        }
        return render(request, "dashboard/city.html", context)


@method_decorator(vary_on_headers("Cookie", "Accept-Language"), name="dispatch")
@method_decorator(cache_control(public=True, max_age=60), name="dispatch")
class KelurahanPageView(View):
    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        try:
            area = selectors.kelurahan_get(code=code)
        except NotFound:
            raise Http404 from None  # the site's 404 page
        try:
            _checked(request, NoQueryForm, allowed=set())
        except ApplicationError as exc:
            return _error(exc)
        context = {
            **_page_context(area=area),
            "area": area,
            "units": selectors.units_for(area=area),
            "cameras": list(selectors.cameras_for(area=area)),
            "map_url": reverse("dashboard:kelurahan-map", kwargs={"code": area.code}),
            "points_max": selectors.POINTS_MAX,
            "points_days": selectors.POINTS_MAX_AGE.days,
        }
        return render(request, "dashboard/kelurahan.html", context)


@method_decorator(gzip_page, name="dispatch")
@method_decorator(cache_control(public=True, max_age=60), name="dispatch")
class CityMapDataView(View):
    """GeoJSON of the 267 kelurahan (simplified) with the shading values."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            _checked(request, NoQueryForm, allowed=set())
        except ApplicationError as exc:
            return _error(exc)
        return HttpResponse(selectors.city_map_json(), content_type="application/json")


@method_decorator(gzip_page, name="dispatch")
@method_decorator(cache_control(public=True, max_age=60), name="dispatch")
class ClusterDataView(View):
    """Open public reports counted per grid cell for a zoom and a box: ``[[lon, lat, n], …]``."""

    def get(self, request: HttpRequest) -> JsonResponse:
        try:
            query = _checked(request, ClusterForm, allowed={"z", "bbox"})
        except ApplicationError as exc:
            return _error(exc)
        viewport = selectors.Viewport(zoom=query["z"], bbox=query["bbox"])
        return JsonResponse({"cells": selectors.clusters_in(viewport=viewport)})


@method_decorator(gzip_page, name="dispatch")
@method_decorator(cache_control(public=True, max_age=60), name="dispatch")
class KelurahanMapDataView(View):
    """The kelurahan's boundary, its public reports as points and its cameras (status only)."""

    def get(self, request: HttpRequest, code: str) -> JsonResponse:
        try:
            area = selectors.kelurahan_get(code=code)
            _checked(request, NoQueryForm, allowed=set())
        except ApplicationError as exc:
            return _error(exc)

        def build() -> dict[str, Any]:
            return {
                "code": area.code,
                "boundary": selectors.kelurahan_shape(area=area),
                "points": selectors.public_points_for(area=area),
                "cameras": [
                    {
                        "code": c.code,
                        "name": c.name,
                        "status": c.status,
                        "lon": round(c.location.x, 6),
                        "lat": round(c.location.y, 6),
                    }
                    for c in selectors.cameras_for(area=area)
                ],
            }

        return JsonResponse(selectors.cached(f"kelurahan-map:{area.code}", build, seconds=60))


# --- the duty view (kelurahan monitors) ------------------------------------------------------


class DutyLoginView(LoginView):
    template_name = "dashboard/login.html"
    redirect_authenticated_user = True
    next_page = "dashboard:duty"


def _sla_state(left: timedelta | None) -> str:
    if left is None:
        return "none"
    if left.total_seconds() < 0:
        return "overdue"
    return "soon" if left < DUE_SOON else "ok"


def _duty_rows(user: User, areas: list[Any]) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = []
    for report in selectors.duty_queue(user=user, areas=areas, now=now):
        left: timedelta | None = getattr(report, "sla_left", None)
        shown = report.is_public and report.location_precision == Report.LocationPrecision.EXACT
        rows.append(
            {
                "public_id": report.public_id,
                "category": report.category,
                "status": report.get_status_display(),
                "status_code": report.status,
                "sla_state": _sla_state(left),
                "sla_hours": None if left is None else left.total_seconds() / 3600,
                "kelurahan": report.area.name if report.area else "",
                "unit": report.agency.short_name or report.agency.name,
                "lat": round(report.location.y, 5) if shown and report.location else None,
                "lon": round(report.location.x, 5) if shown and report.location else None,
                "created_at": report.created_at,
            }
        )
    return rows


@method_decorator(never_cache, name="dispatch")
class DutyView(LoginRequiredMixin, View):
    """A kelurahan monitor's live queue and cameras; read-only, no personal data."""

    login_url = reverse_lazy("dashboard:login")
    fragment = False

    def get(self, request: HttpRequest) -> HttpResponse:
        user: User = request.user  # type: ignore[assignment]
        areas = list(selectors.monitored_kelurahan(user=user))
        if not areas:
            exc = Forbidden(_("Only kelurahan monitors have a duty view."))
            if self.fragment:
                return _error(exc)
            return render(request, "dashboard/duty_forbidden.html", status=403)
        try:
            _checked(request, NoQueryForm, allowed=set())
        except ApplicationError as exc:
            return _error(exc)
        context = {
            "areas": areas,
            "rows": _duty_rows(user, areas),
            "now": timezone.now(),
            "fragment_url": reverse("dashboard:duty-queue"),
            **_tiles(),
        }
        if self.fragment:
            return render(request, "dashboard/_duty_queue.html", context)
        context["cameras"] = [c for a in areas for c in selectors.cameras_for(area=a)]
        return render(request, "dashboard/duty.html", context)
