"""The triage queue's list filters and bulk-action form (docs/triage.md, "The admin")."""

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
)
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Agency, User
from apps.reports.models import Report
from apps.routing.models import Area, Category
from apps.triage.selectors import scope as selectors_staff
from apps.triage.selectors.outcome import QUEUE_OUTCOMES
from apps.triage.selectors.scope import SLA_DUE_SOON, SLA_OK, SLA_OVERDUE


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


class _LinkedCodeFilter(_OfferedChoiceFilter):
    """A filter reached by a link (the manager report): it offers just the value linked to,
    when it names something, so the sidebar shows what the list is narrowed to."""

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        value = _code(request.GET.get(str(self.parameter_name)))
        return self.named(value) if value else []

    def named(self, value: str) -> list[tuple[str, Any]]:
        raise NotImplementedError


class UnitFilter(_LinkedCodeFilter):
    title = _("unit")
    parameter_name = "unit"

    def named(self, value: str) -> list[tuple[str, Any]]:
        return [
            (code, short or name)
            for code, short, name in Agency.objects.filter(code=value).values_list(
                "code", "short_name", "name"
            )
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Report]) -> QuerySet[Report]:
        return selectors_staff.report_queue_filter(queryset, agency_code=self.value())


class AssigneeFilter(_LinkedCodeFilter):
    title = _("assignee")
    parameter_name = "assignee"

    def named(self, value: str) -> list[tuple[str, Any]]:
        return [
            (u, u) for u in User.objects.filter(username=value).values_list("username", flat=True)
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Report]) -> QuerySet[Report]:
        return selectors_staff.report_queue_filter(queryset, assignee_username=self.value())


class OutcomeFilter(_OfferedChoiceFilter):
    """The manager report's counts (docs/performance.md): each links here, with the period."""

    title = _("SLA outcome (manager report)")
    parameter_name = "outcome"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        labels = {
            "tickets": _("Counted in the report"),
            "on_time": _("Followed up on time"),
            "missed": _("Missed"),
            "breaches": _("Breached"),
            "open": _("Open"),
        }
        return [(name, labels[name]) for name in QUEUE_OUTCOMES]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Report]) -> QuerySet[Report]:
        return selectors_staff.report_queue_filter(queryset, outcome=self.value())
