"""Helpers shared by the triage admin's modules (docs/triage.md, "The admin")."""

from datetime import timedelta

from django.contrib import admin
from django.http import (
    Http404,
    HttpRequest,
    HttpResponseRedirect,
)
from django.urls import reverse
from django.utils.translation import gettext

from apps.accounts.requests import request_user
from apps.core.errors import NotFound
from apps.reports.models import Report
from apps.triage.selectors import scope as selectors_staff


def _details(fields: dict[str, list[str]]) -> str:
    """``field: message`` per refused field (a message alone when it names no field)."""
    return "; ".join(f"{k}: {' '.join(v)}" if k else " ".join(v) for k, v in fields.items())


def _duration(value: timedelta | None) -> str:
    """A span for people to read, in the active language ("26 hari 12 jam", "3 jam 5 mnt");
    negative (overdue) with a leading minus sign."""
    if value is None:
        return "-"
    seconds = int(value.total_seconds())
    sign = "\u2212" if seconds < 0 else ""
    days, rest = divmod(abs(seconds), 86400)
    hours, minutes = rest // 3600, rest % 3600 // 60
    if days:
        text = gettext("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    else:
        text = gettext("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return sign + text


class ScopedTicketAdmin(admin.ModelAdmin):
    """The ticket admin's one way to a ticket: the scoped selector (a 404 outside it)."""

    def _scoped(self, request: HttpRequest, object_id: str) -> Report:
        try:
            return selectors_staff.report_get_for_user_by_pk(
                user=request_user(request), pk=int(object_id)
            )
        except (NotFound, ValueError):
            raise Http404 from None

    def _back(self, report: Report) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:reports_report_change", args=[report.pk]))


_user = request_user  # the name admin/reveal.py imports from here
