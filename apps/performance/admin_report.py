"""The manager report page in the admin: the same numbers as ``GET /api/v1/performance/report/``.

Staff in the manager group only (others 403; the admin's login page for anyone else).
Every label goes through gettext_lazy: Bahasa Indonesia by default, English available.
"""

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.performance import charts, exports, selectors
from apps.performance.api.serializers import MAX_REPORT_DAYS

GROUP_LABELS = {
    "unit": _("Unit"),
    "officer": _("Officer"),
    "category": _("Category"),
    "kota": _("Kota"),
    "kecamatan": _("Kecamatan"),
    "kelurahan": _("Kelurahan"),
}
# The report table's columns (labels shared with the CSV/XLSX headers).
COLUMNS: list[tuple[str, Any]] = [
    (key, exports.LABELS[key])
    for key in (
        "tickets",
        "on_time",
        "missed",
        "compliance_pct",
        "median_hours",
        "p90_hours",
        "open",
        "backlog_0_2d",
        "backlog_2_6d",
        "backlog_6_14d",
        "backlog_over_14d",
        "breaches",
        "reopen_rate_pct",
        "average_rating",
    )
]
DRILLABLE = {"tickets", "on_time", "missed", "open", "breaches"}
# The ticket queue's query parameter naming one group of each grouping (by its code).
QUEUE_GROUP_PARAMETER = {
    "unit": "unit",
    "officer": "assignee",
    "category": "category",
    "kota": "kota",
    "kecamatan": "kecamatan",
    "kelurahan": "kelurahan",
}


def queue_url(*, start: date, end: date, grouping: str, code: str, metric: str) -> str:
    """The admin ticket queue filtered to exactly the tickets behind one count of the report.

    The queue's ``outcome`` filter applies the report's own definitions (and, like the
    report, leaves out merged duplicates); the period is the same Jakarta calendar days.
    """
    query = {
        "created_from": start.isoformat(),
        "created_to": end.isoformat(),
        QUEUE_GROUP_PARAMETER[grouping]: code,
        "outcome": metric,
    }
    return f"{reverse('admin:reports_report_changelist')}?{urlencode(query)}"


class ManagerReportForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    group = forms.ChoiceField(label=_("Group by"), choices=list(GROUP_LABELS.items()))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end is before the start."))
        elif start and end and (end - start).days >= MAX_REPORT_DAYS:
            self.add_error("end", _("A report covers at most 366 days."))
        return data


def _defaults(today: date) -> dict[str, str]:
    return {
        "start": (today - timedelta(days=29)).isoformat(),
        "end": today.isoformat(),
        "group": "unit",
    }


def manager_report_context(*, request: HttpRequest, user: User) -> dict[str, Any]:
    """Form, table rows (with drill-down links), inline SVG charts and export links."""
    today = timezone.now().astimezone(selectors.JAKARTA).date()
    form = ManagerReportForm(request.GET if "start" in request.GET else _defaults(today))
    context: dict[str, Any] = {"form": form, "columns": COLUMNS, "rows": [], "charts": []}
    if not form.is_valid():
        return context
    d = form.cleaned_data
    start = datetime.combine(d["start"], time.min, tzinfo=selectors.JAKARTA)
    end = datetime.combine(d["end"], time.max, tzinfo=selectors.JAKARTA)
    scope = selectors.report_scope_for_user(user=user)
    reading: dict[str, Any] = {
        "user": user,
        "scope": scope,
        "start": start,
        "end": end,
        "now": timezone.now(),
    }
    query = {"start": d["start"].isoformat(), "end": d["end"].isoformat(), "group": d["group"]}
    rows = selectors.performance_report(grouping=d["group"], **reading)
    context["rows"] = [
        {
            "code": row["code"] or "-",
            "name": row["name"] or "",
            "cells": [
                {
                    "value": "" if row[key] is None else row[key],
                    "link": (
                        queue_url(
                            start=d["start"],
                            end=d["end"],
                            grouping=d["group"],
                            code=row["code"],
                            metric=key,
                        )
                        if key in DRILLABLE and row["code"] is not None
                        else None
                    ),
                }
                for key, _label in COLUMNS
            ],
        }
        for row in rows
    ]
    context["group_label"] = GROUP_LABELS[d["group"]]
    export = reverse("performance-report-export")
    context["exports"] = [
        (label, f"{export}?{urlencode({**query, 'file_format': fmt})}")
        for fmt, label in (("csv", "CSV"), ("xlsx", "XLSX"))
    ]
    # Each chart twice: drawn for a desk and for a phone (report.css shows one), so that the
    # labels keep a readable size at 390 px instead of shrinking with a 640 px drawing.
    svg: list[tuple[SafeString, SafeString]] = [
        (
            # the chart functions escape every label and title they draw
            mark_safe(charts.report_chart_svg(chart=name, **reading)),  # noqa: S308
            mark_safe(  # noqa: S308
                charts.report_chart_svg(chart=name, width=charts.PHONE_WIDTH, **reading)
            ),
        )
        for name in ("compliance_by_week", "breaches_by_unit")
    ]
    context["charts"] = svg
    return context
