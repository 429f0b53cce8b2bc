"""Inline SVG charts rendered on the server: no JavaScript, no network (docs/performance.md).

Two shapes: vertical bars over time (compliance per week, with a 0-100 % axis and the value
above each bar) and horizontal bars per unit (the unit's name on the left, the value at the
end of the bar, as many rows as units, so long names never overlap). Every bar carries a
``<title>`` (shown on hover) with the full label and value.

Coordinates are written by Python's own formatting (``f"{x:.1f}"``), never by Django's
localized number formatting: ``cx="124.2"`` in every language. The labels people read (values,
dates) follow the active language. The SVGs scale with their container (``viewBox``, width
100 %), so they fit a phone.
"""

import math
import textwrap
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.triage.selectors.scope import StaffScope

WIDTH = 640
PHONE_WIDTH = 360  # the phone variant: drawn at a phone's width, so its labels keep their size
FONT = 'font-family="sans-serif"'
BAR, AXIS, GRID, TEXT = "#2b6cb0", "#333", "#d5dbe3", "#222"
LABEL_CHARS = 30  # a unit name longer than this is cut (the full name is in the bar's title)


def _number(value: float, decimals: int = 1) -> str:
    """A value for people to read: localized (``71,4`` in Indonesian), trailing ``,0`` dropped."""
    if float(value).is_integer():
        return number_format(int(value))
    return number_format(round(float(value), decimals), decimals)


def _open(*, title: str, height: float, width: int = WIDTH) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" '
        f'width="100%" style="max-width:{width}px;height:auto" role="img" '
        f'aria-label="{escape(title, {chr(34): "&quot;"})}" class="lw-chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="18" {FONT} font-size="15" font-weight="bold" fill="{TEXT}">'
        f"{escape(title)}</text>",
    ]


def _empty(parts: list[str], *, y: float, width: int = WIDTH) -> None:
    parts.append(
        f'<text x="{width / 2:.1f}" y="{y:.1f}" text-anchor="middle" {FONT} font-size="13" '
        f'fill="#666">{escape(_("No data in this period."))}</text>'
    )


def _nice_step(top: float, ticks: int = 5) -> float:
    """A round axis step (1, 2 or 5 times a power of ten) giving about ``ticks`` gridlines."""
    raw = max(top, 1) / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def bar_chart_svg(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    max_value: float | None = None,
    unit: str = "",
    axis_label: str = "",
    width: int = WIDTH,
) -> str:
    """Vertical bars with a y axis, gridlines and each value above its bar.

    ``None`` values are an empty slot marked "-". With many bars only every n-th label shows
    (fewer on the narrow phone variant, ``width=PHONE_WIDTH``).
    """
    narrow = width < WIDTH
    # the axis label in lines that fit the drawing (about 6 units a character at 11 px)
    lines = textwrap.wrap(axis_label, width=max(20, width // 6)) if axis_label else []
    extra = 14 * max(len(lines) - 1, 0)
    height, left, right, top_pad, bottom = 310 + extra, 52, 12, 58 + extra, 46
    plot_h = height - top_pad - bottom
    plot_w = width - left - right
    parts = _open(title=title, height=height, width=width)
    for i, line in enumerate(lines):
        parts.append(
            f'<text x="0" y="{34 + 14 * i}" {FONT} font-size="11" fill="#555">{escape(line)}</text>'
        )
    if not values:
        _empty(parts, y=height / 2, width=width)
        parts.append("</svg>")
        return "".join(parts)
    top = max_value if max_value is not None else max([v or 0 for v in values] + [1])
    step = _nice_step(top)
    top = max(top, step)
    base = top_pad + plot_h
    tick = 0.0
    while tick <= top + 1e-9:
        y = base - plot_h * tick / top
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{GRID if tick else AXIS}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT} font-size="11" '
            f'fill="{TEXT}">{escape(_number(tick))}{escape(unit)}</text>'
        )
        tick += step
    n = len(values)
    slot = plot_w / n
    every = max(1, math.ceil(n / (5 if narrow else 10)))
    show_values = n <= (7 if narrow else 16)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + i * slot + slot * 0.15
        bar_w = slot * 0.7
        centre = left + (i + 0.5) * slot
        if value is None:
            text, h = "-", 0.0
        else:
            text = f"{_number(value)}{unit}"
            h = plot_h * float(value) / top
            parts.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{BAR}"><title>{escape(label)}: {escape(text)}</title></rect>'
            )
        if show_values or value is None:
            parts.append(
                f'<text x="{centre:.1f}" y="{base - h - 4:.1f}" text-anchor="middle" {FONT} '
                f'font-size="11" fill="{TEXT}">{escape(text)}</text>'
            )
        if i % every == 0:
            parts.append(
                f'<text x="{centre:.1f}" y="{base + 16:.1f}" text-anchor="middle" {FONT} '
                f'font-size="11" fill="{TEXT}">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _cut(label: str, chars: int = LABEL_CHARS) -> str:
    return label if len(label) <= chars else label[: chars - 1].rstrip() + "…"


def hbar_chart_svg(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    empty_text: str = "",
    width: int = WIDTH,
) -> str:
    """Horizontal bars: one row per label (the name on the left), the value after the bar."""
    narrow = width < WIDTH
    left, right, top_pad, row = (150 if narrow else 210), (36 if narrow else 44), 34, 22
    chars = 20 if narrow else LABEL_CHARS  # about 7 units a character at 12 px
    n = len(values)
    height = top_pad + max(n, 1) * row + 26
    parts = _open(title=title, height=height, width=width)
    if not n:
        _empty(parts, y=top_pad + 20, width=width)
        if empty_text:
            parts[-1] = parts[-1].replace(escape(_("No data in this period.")), escape(empty_text))
        parts.append("</svg>")
        return "".join(parts)
    plot_w = width - left - right
    top = max(max(values), 1)
    step = _nice_step(top, ticks=4)
    top = math.ceil(top / step) * step
    base = top_pad + n * row
    tick = 0.0
    while tick <= top + 1e-9:
        x = left + plot_w * tick / top
        parts.append(
            f'<line x1="{x:.1f}" y1="{top_pad}" x2="{x:.1f}" y2="{base:.1f}" '
            f'stroke="{GRID if tick else AXIS}"/>'
            f'<text x="{x:.1f}" y="{base + 15:.1f}" text-anchor="middle" {FONT} font-size="11" '
            f'fill="{TEXT}">{escape(_number(tick))}</text>'
        )
        tick += step
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top_pad + i * row
        w = plot_w * float(value) / top
        text = _number(value)
        parts.append(
            f'<text x="{left - 6}" y="{y + row * 0.68:.1f}" text-anchor="end" {FONT} '
            f'font-size="12" fill="{TEXT}">{escape(_cut(label, chars))}</text>'
            f'<rect x="{left}" y="{y + 3:.1f}" width="{w:.1f}" height="{row - 6:.1f}" '
            f'fill="{BAR}"><title>{escape(label)}: {escape(text)}</title></rect>'
            f'<text x="{left + w + 4:.1f}" y="{y + row * 0.68:.1f}" {FONT} font-size="12" '
            f'fill="{TEXT}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def report_chart_svg(
    *,
    chart: str,
    user: User,
    scope: StaffScope | None,
    start: datetime,
    end: datetime,
    now: datetime,
    width: int = WIDTH,
) -> str:
    """``compliance_by_week`` or ``breaches_by_unit`` over the tickets ``user`` may read
    (``width=PHONE_WIDTH``: the variant drawn for a phone)."""
    from apps.performance import selectors

    reading: dict[str, Any] = {"user": user, "scope": scope, "start": start, "end": end, "now": now}
    if chart == "compliance_by_week":
        weeks = selectors.compliance_by_week(**reading)
        return bar_chart_svg(
            title=_("SLA compliance per week"),
            axis_label=_("Tickets followed up on time, in percent, by the week they were filed"),
            labels=[date_format(w["week"], "j M") for w in weeks],
            values=[w["compliance_pct"] for w in weeks],
            max_value=100,
            unit=" %",
            width=width,
        )
    rows = selectors.performance_report(grouping="unit", **reading)
    rows = sorted((r for r in rows if r["breaches"]), key=lambda r: (-r["breaches"], r["code"]))
    rows = rows[:15]
    return hbar_chart_svg(
        title=_("Breaches by unit (top 15)"),
        labels=[r["short_name"] or r["code"] or "-" for r in rows],
        values=[r["breaches"] for r in rows],
        empty_text=_("No breaches in this period."),
        width=width,
    )
