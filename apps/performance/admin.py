"""Read-only admin for the ledger and snapshots (history is never edited here)."""

from django.contrib import admin
from django.http import HttpRequest

from apps.performance.models import Appeal, PerformanceMonth, ScoreEvent, ScoreSnapshot


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ScoreEvent)
class ScoreEventAdmin(ReadOnlyAdmin):
    list_display = ("period", "kind", "points", "count", "agency", "officer", "report", "note")
    list_filter = ("kind", "source", "period")
    list_select_related = ("agency", "officer", "report")


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("period", "agency", "officer", "tickets", "on_time", "breaches", "score")
    list_filter = ("period", "formula_version")
    list_select_related = ("agency", "officer")


@admin.register(PerformanceMonth)
class PerformanceMonthAdmin(ReadOnlyAdmin):
    list_display = ("period", "formula_version", "closed_at", "closed_by")


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "officer", "status", "created_at", "decided_by", "decided_at")
    list_filter = ("status",)
