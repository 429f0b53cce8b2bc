"""Read-only admin for the ledger and snapshots (history is never edited here)."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.text import capfirst

from apps.accounts.models import User
from apps.accounts.selectors import user_is_manager
from apps.core.admin_readonly import ReadOnlyModelAdmin
from apps.performance.admin_report import manager_report_context
from apps.performance.models import (
    Appeal,
    ManagerReport,
    PerformanceMonth,
    ScoreEvent,
    ScoreSnapshot,
)


@admin.register(ScoreEvent)
class ScoreEventAdmin(ReadOnlyModelAdmin):
    list_display = ("period", "kind", "points", "count", "agency", "officer", "report", "note")
    list_filter = ("kind", "source", "period")
    list_select_related = ("agency", "officer", "report")


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyModelAdmin):
    list_display = ("period", "agency", "officer", "tickets", "on_time", "breaches", "score")
    list_filter = ("period", "formula_version")
    list_select_related = ("agency", "officer")


@admin.register(PerformanceMonth)
class PerformanceMonthAdmin(ReadOnlyModelAdmin):
    list_display = ("period", "formula_version", "closed_at", "closed_by")


@admin.register(Appeal)
class AppealAdmin(ReadOnlyModelAdmin):
    list_display = ("public_id", "officer", "status", "created_at", "decided_by", "decided_at")
    list_filter = ("status",)


@admin.register(ManagerReport)
class ManagerReportAdmin(ReadOnlyModelAdmin):
    """The manager report page (``/admin/performance/managerreport/``): table, charts, exports.

    Staff in the manager group only: anyone else gets 403 (the admin's login for non-staff).
    """

    def _is_manager(self, request: HttpRequest) -> bool:
        user = request.user
        return isinstance(user, User) and user_is_manager(user=user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_manager(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._is_manager(request)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        user = request.user
        if not self._is_manager(request) or not isinstance(user, User):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": capfirst(self.model._meta.verbose_name),
            **manager_report_context(request=request, user=user),
        }
        return TemplateResponse(request, "admin/performance/report.html", context)

    def get_urls(self) -> list[Any]:
        # only the page itself: no change/delete/history views for a report
        return [url for url in super().get_urls() if url.name and url.name.endswith("changelist")]
