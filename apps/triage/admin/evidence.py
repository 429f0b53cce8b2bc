"""Admin views of the CCTV evidence panel (docs/cctv.md): play, link, unlink, correct.

Mounted under /admin/evidence/ by config/urls.py; every view is ``admin_site.admin_view``
wrapped (staff, signed in), finds the ticket through the staff scope (404 outside it) and
calls one service.
"""

import uuid
from datetime import datetime
from typing import Any

from django.contrib import admin, messages
from django.contrib.gis.geos import Point
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.requests import request_user
from apps.core.api.handlers import error_body
from apps.core.errors import ApplicationError, NotFound
from apps.reports.models import Report
from apps.triage import services
from apps.triage.selectors import scope as selectors_staff


def _ticket(request: HttpRequest, pk: int) -> Report:
    try:
        return selectors_staff.report_get_for_user_by_pk(user=request_user(request), pk=pk)
    except NotFound:
        raise Http404 from None


def _back(report: Report) -> HttpResponseRedirect:
    return HttpResponseRedirect(
        reverse("admin:reports_report_change", args=[report.pk]) + "#lw-evidence"
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def play_view(request: HttpRequest, pk: int, uid: str) -> HttpResponse:
    report = _ticket(request, pk)
    try:
        url = services.report_clip_play(
            user=request_user(request),
            report=report,
            clip_uid=uid,
            purpose=request.POST.get("purpose", ""),
        )
    except ApplicationError as exc:
        if _wants_json(request):
            return JsonResponse(error_body(exc.code, exc.message, exc.fields), status=exc.status)
        messages.error(request, exc.message)
        return _back(report)
    if _wants_json(request):
        return JsonResponse({"url": url})
    return HttpResponseRedirect(url)


def _run(request: HttpRequest, report: Report, action: Any) -> HttpResponse:
    try:
        action()
    except ApplicationError as exc:
        details = " ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items())
        messages.error(request, f"{exc.message} {details}".strip())
    else:
        messages.success(request, _("Done: %(id)s.") % {"id": report.public_id})
    return _back(report)


def link_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = _ticket(request, pk)
    return _run(
        request,
        report,
        lambda: services.report_clip_link_add(
            report=report,
            clip_uid=_uid(request.POST.get("clip", "")),
            actor=request_user(request),
            note=request.POST.get("note", ""),
        ),
    )


def unlink_view(request: HttpRequest, pk: int, uid: str) -> HttpResponse:
    report = _ticket(request, pk)
    return _run(
        request,
        report,
        lambda: services.report_clip_link_remove(
            report=report,
            clip_uid=uid,
            actor=request_user(request),
            note=request.POST.get("note", ""),
        ),
    )


def _uid(value: str) -> str:
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise ApplicationError(fields={"clip": [_("A clip id (UUID).")]}) from None


def _correction(request: HttpRequest) -> tuple[Point | None, datetime | None]:
    lat, lon = request.POST.get("lat", "").strip(), request.POST.get("lon", "").strip()
    location = None
    if lat or lon:
        try:
            location = Point(float(lon), float(lat), srid=4326)
        except ValueError:
            raise ApplicationError(
                fields={"lat": [_("Give a latitude and a longitude.")]}
            ) from None
    when = request.POST.get("occurred_at", "").strip()
    occurred_at = None
    if when:
        parsed = parse_datetime(when)
        if parsed is None:
            raise ApplicationError(fields={"occurred_at": [_("A date and time.")]})
        occurred_at = timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
    return location, occurred_at


def correct_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = _ticket(request, pk)

    def action() -> None:
        location, occurred_at = _correction(request)
        services.report_correct_place_time(
            report=report,
            actor=request_user(request),
            note=request.POST.get("note", ""),
            location=location,
            occurred_at=occurred_at,
        )

    return _run(request, report, action)


def _wrap(view: Any) -> Any:
    return admin.site.admin_view(require_POST(view))


urlpatterns = [
    path("<int:pk>/play/<uuid:uid>/", _wrap(play_view), name="evidence-admin-play"),
    path("<int:pk>/link/", _wrap(link_view), name="evidence-admin-link"),
    path("<int:pk>/unlink/<uuid:uid>/", _wrap(unlink_view), name="evidence-admin-unlink"),
    path("<int:pk>/correct/", _wrap(correct_view), name="evidence-admin-correct"),
]
