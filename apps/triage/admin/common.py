"""Helpers shared by the triage admin's modules (docs/triage.md, "The admin")."""

from datetime import timedelta

from django.contrib import admin
from django.http import (
    Http404,
    HttpRequest,
    HttpResponseRedirect,
)
from django.urls import reverse

from apps.accounts.models import User
from apps.core.errors import NotFound
from apps.reports.models import Report
from apps.triage.selectors import scope as selectors_staff


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


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


class ScopedTicketAdmin(admin.ModelAdmin):
    """The ticket admin's one way to a ticket: the scoped selector (a 404 outside it)."""

    def _scoped(self, request: HttpRequest, object_id: str) -> Report:
        try:
            return selectors_staff.report_get_for_user_by_pk(user=_user(request), pk=int(object_id))
        except (NotFound, ValueError):
            raise Http404 from None

    def _back(self, report: Report) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:reports_report_change", args=[report.pk]))
