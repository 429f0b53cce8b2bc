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
from apps.performance import charts, selectors
from apps.performance.api.serializers import MAX_REPORT_DAYS

GROUP_LABELS = {
    "unit": _("Unit"),
    "officer": _("Officer"),
    "category": _("Category"),
    "kota": _("Kota"),
    "kecamatan": _("Kecamatan"),
    "kelurahan": _("Kelurahan"),
}
COLUMNS: list[tuple[str, Any]] = [
    ("tickets", _("Tickets")),
    ("on_time", _("Followed up on time")),
    ("missed", _("Missed")),
    ("compliance_pct", _("SLA compliance %")),
    ("median_hours", _("Median follow-up (hours)")),
    ("p90_hours", _("p90 follow-up (hours)")),
    ("open", _("Open backlog")),
    ("backlog_0_2d", _("0-2 days")),
    ("backlog_2_6d", _("2-6 days")),
    ("backlog_6_14d", _("6-14 days")),
    ("backlog_over_14d", _("Over 14 days")),
    ("breaches", _("Breaches")),
    ("reopen_rate_pct", _("Reopen rate %")),
    ("average_rating", _("Average rating")),
]
DRILLABLE = {"tickets", "on_time", "missed", "open", "breaches"}


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
    drill = reverse("performance-report-tickets")
    context["rows"] = [
        {
            "code": row["code"] or "-",
            "name": row["name"] or "",
            "cells": [
                {
                    "value": "" if row[key] is None else row[key],
                    "link": (
                        f"{drill}?{urlencode({**query, 'key': row['key'], 'metric': key})}"
                        if key in DRILLABLE and row["key"] is not None
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
    svg: list[SafeString] = [
        # bar_chart_svg escapes every label and title it draws
        mark_safe(charts.report_chart_svg(chart=name, **reading))  # noqa: S308
        for name in ("compliance_by_week", "breaches_by_unit")
    ]
    context["charts"] = svg
    return context
