"""CSV and XLSX renderings of the manager report (same rows as the API).

The header row is written in the language of the request (Bahasa Indonesia by default,
English available), with the same labels as the report page; the numbers are never
localized (``71.4``, not ``71,4``), so any spreadsheet reads them as numbers.
"""

import csv
import io
from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# (row key, header) in the order of the file; the report page shows the same labels.
COLUMNS: tuple[tuple[str, Any], ...] = (
    ("code", _("Code")),
    ("name", _("Name")),
    ("tickets", _("Tickets")),
    ("completed", _("Followed up")),
    ("on_time", _("Followed up on time")),
    ("missed", _("Missed")),
    ("compliance_pct", _("SLA compliance %")),
    ("breaches", _("Breaches")),
    ("open", _("Open backlog")),
    ("backlog_0_2d", _("0-2 days")),
    ("backlog_2_6d", _("2-6 days")),
    ("backlog_6_14d", _("6-14 days")),
    ("backlog_over_14d", _("Over 14 days")),
    ("reopened", _("Reopened")),
    ("reopen_rate_pct", _("Reopen rate %")),
    ("median_hours", _("Median follow-up (hours)")),
    ("p90_hours", _("p90 follow-up (hours)")),
    ("average_rating", _("Average rating")),
    ("rated", _("Rated")),
)
LABELS: dict[str, Any] = dict(COLUMNS)
# Column widths in characters: the longest cell, within these bounds.
MIN_WIDTH, MAX_WIDTH = 6, 60


def _cell(value: Any) -> Any:
    # Spreadsheet formula injection: text starting with = + - @ is shown as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


def _header() -> list[str]:
    return [str(label) for _key, label in COLUMNS]


def _table(rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
    return [[_cell(row.get(key)) for key, _label in COLUMNS] for row in rows]


def report_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header())
    writer.writerows(_table(rows))
    return out.getvalue().encode("utf-8")


def report_xlsx(rows: Sequence[dict[str, Any]]) -> bytes:
    """One sheet: a bold, frozen header row and columns as wide as their longest cell."""
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("Performance"))[:31]
    header = _header()
    table = _table(rows)
    sheet.append(header)
    for line in table:
        sheet.append(line)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, title in enumerate(header, start=1):
        longest = max([len(title)] + [len(str(line[index - 1])) for line in table])
        width = min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_download(*, rows: Sequence[dict[str, Any]], file_format: str, name: str) -> HttpResponse:
    """The rows as an attachment, ``file_format`` ``csv`` or ``xlsx`` (API and admin page)."""
    if file_format == "csv":
        response = HttpResponse(report_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(report_xlsx(rows), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response
