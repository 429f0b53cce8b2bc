from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from apps.sla import services
from apps.sla.deadlines import SlaConfigurationError
from apps.sla.models import Holiday, SlaBreach, SlaClock, SlaPolicy, SlaWarning, WorkCalendar


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "timezone", "working_weekdays", "version", "updated_at"]
    readonly_fields = ["version", "updated_at"]

    def save_model(
        self, request: HttpRequest, obj: WorkCalendar, form: ModelForm, change: bool
    ) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        services.work_calendar_update(
            calendar=obj, working_weekdays=obj.working_weekdays, name=obj.name
        )


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "kind", "source", "decree_reference", "calendar"]
    list_filter = ["kind", "source", "calendar"]
    search_fields = ["name", "decree_reference"]
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: Holiday, form: ModelForm, change: bool) -> None:
        # Any edit by hand marks the row manual: sync_holidays then leaves it alone.
        services.holiday_upsert(
            calendar=obj.calendar,
            day=obj.date,
            name=obj.name,
            kind=obj.kind,
            source=Holiday.Source.MANUAL,
            decree_reference=obj.decree_reference,
        )

    def delete_model(self, request: HttpRequest, obj: Holiday) -> None:
        services.holiday_delete(holiday=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Holiday]) -> None:
        for holiday in queryset:
            services.holiday_delete(holiday=holiday)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "category", "target", "unit", "include_cuti_bersama", "version"]
    list_select_related = ["category"]
    readonly_fields = ["version", "updated_at"]

    def save_model(
        self, request: HttpRequest, obj: SlaPolicy, form: ModelForm, change: bool
    ) -> None:
        try:
            services.sla_policy_save(
                category=obj.category,
                target=obj.target,
                unit=obj.unit,
                include_cuti_bersama=obj.include_cuti_bersama,
                pause_statuses=obj.pause_statuses,
                warning_points=obj.warning_points,
                calendar=obj.calendar,
            )
        except SlaConfigurationError as exc:  # form clean() catches these first
            messages.error(request, exc.message)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SlaClock)
class SlaClockAdmin(ReadOnlyAdmin):
    list_display = ["report", "state", "cycle", "due_at", "breached_at", "unit", "target"]
    list_filter = ["state", "unit"]
    list_select_related = ["report"]
    search_fields = ["report__public_id"]
    show_full_result_count = False


@admin.register(SlaBreach)
class SlaBreachAdmin(ReadOnlyAdmin):
    list_display = ["report", "cycle", "due_at", "agency", "officer", "rule"]
    list_filter = ["rule"]
    list_select_related = ["report", "agency", "officer"]
    search_fields = ["report__public_id"]
    show_full_result_count = False


@admin.register(SlaWarning)
class SlaWarningAdmin(ReadOnlyAdmin):
    list_display = ["clock", "cycle", "point", "at"]
    show_full_result_count = False
