"""CSV and XLSX renderings of the manager report (same rows as the API)."""

import csv
import io
from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook

COLUMNS = (
    "code",
    "name",
    "tickets",
    "completed",
    "on_time",
    "missed",
    "compliance_pct",
    "breaches",
    "open",
    "backlog_0_2d",
    "backlog_2_6d",
    "backlog_6_14d",
    "backlog_over_14d",
    "reopened",
    "reopen_rate_pct",
    "median_hours",
    "p90_hours",
    "average_rating",
    "rated",
)


def _cell(value: Any) -> Any:
    # Spreadsheet formula injection: text starting with = + - @ is shown as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


def report_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(row.get(col)) for col in COLUMNS])
    return out.getvalue().encode("utf-8")


def report_xlsx(rows: Sequence[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "performance"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([_cell(row.get(col)) for col in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_download(*, rows: Sequence[dict[str, Any]], file_format: str, name: str) -> HttpResponse:
    """The rows as an attachment, ``file_format`` ``csv`` or ``xlsx`` (API and admin page)."""
    if file_format == "csv":
        response = HttpResponse(report_csv(rows), content_type="text/csv")
    else:
        response = HttpResponse(report_xlsx(rows), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response
