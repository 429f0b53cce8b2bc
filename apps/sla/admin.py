from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from apps.core.admin_readonly import ReadOnlyModelAdmin
from apps.core.errors import ApplicationError
from apps.sla import services
from apps.sla.deadlines import SlaConfigurationError
from apps.sla.models import (
    AreaFreeze,
    Holiday,
    SlaBreach,
    SlaClock,
    SlaPolicy,
    SlaWarning,
    WorkCalendar,
)


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


@admin.register(SlaClock)
class SlaClockAdmin(ReadOnlyModelAdmin):
    list_display = ["report", "state", "cycle", "due_at", "breached_at", "unit", "target"]
    list_filter = ["state", "unit"]
    list_select_related = ["report"]
    search_fields = ["report__public_id"]
    show_full_result_count = False


@admin.register(SlaBreach)
class SlaBreachAdmin(ReadOnlyModelAdmin):
    list_display = ["report", "cycle", "due_at", "agency", "officer", "rule"]
    list_filter = ["rule"]
    list_select_related = ["report", "agency", "officer"]
    search_fields = ["report__public_id"]
    show_full_result_count = False


@admin.register(SlaWarning)
class SlaWarningAdmin(ReadOnlyModelAdmin):
    list_display = ["clock", "cycle", "point", "at"]
    show_full_result_count = False


class AreaFreezeForm(forms.ModelForm):
    """The manager draws nothing: the area is pasted as GeoJSON (works without map tiles)."""

    area_geojson = forms.CharField(
        label=_("Area (GeoJSON Polygon or MultiPolygon, lon/lat)"),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
    )

    class Meta:
        model = AreaFreeze
        fields = ["starts_at", "ends_at", "reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.request_user: Any = kwargs.pop("request_user", None)
        super().__init__(*args, **kwargs)
        self.created: AreaFreeze | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self.created = services.area_freeze_create(
                actor=self.request_user,
                geojson=data.get("area_geojson", ""),
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                reason=data.get("reason", ""),
            )
        except ApplicationError as exc:
            for field, problems in exc.fields.items():
                target = "area_geojson" if field == "area" else field
                self.add_error(target if target in self.fields else None, problems)
            if not exc.fields:
                self.add_error(None, exc.message)
        return data


@admin.register(AreaFreeze)
class AreaFreezeAdmin(admin.ModelAdmin):
    """Managers add freezes; nobody edits or deletes one (the record is the audit trail)."""

    list_display = [
        "id",
        "starts_at",
        "ends_at",
        "reason",
        "vertex_count",
        "clocks_affected",
        "created_by",
        "created_at",
    ]
    list_select_related = ["created_by"]
    form = AreaFreezeForm
    readonly_fields = [
        "area",
        "starts_at",
        "ends_at",
        "reason",
        "vertex_count",
        "clocks_affected",
        "created_by",
        "created_at",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            return list(self.readonly_fields)
        return ["area_geojson", "starts_at", "ends_at", "reason"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class BoundForm(form_class):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, request_user=user, **kw)

        return BoundForm

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return services.area_freeze_allowed(user=request.user)  # type: ignore[arg-type]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: AreaFreeze, form: Any, change: bool) -> None:
        # The service created the row while validating the form (one transaction per request).
        created = form.created
        if created is None:  # pragma: no cover - the form is only valid once it was created
            raise PermissionDenied
        obj.pk = created.pk
        obj.__dict__.update(created.__dict__)
