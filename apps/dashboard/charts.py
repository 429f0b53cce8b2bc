"""The weekly trend as inline SVG, drawn by the performance app's bar chart (no JavaScript)."""

from django.utils.translation import gettext as _

from apps.dashboard.selectors import WeekRow
from apps.performance.charts import bar_chart_svg


def trend_chart_svg(*, weeks: list[WeekRow]) -> str:
    """Reports filed per week; the page prints the same numbers as a table beside it."""
    return bar_chart_svg(
        title=_("Reports per week"),
        labels=[f"{row.week:%d/%m}" for row in weeks],
        values=[row.summary.reports for row in weeks],
    )
