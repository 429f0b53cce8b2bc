"""Inline SVG charts rendered on the server: no JavaScript, no network (docs/performance.md)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.triage.selectors.scope import StaffScope

WIDTH, HEIGHT, PAD = 640, 260, 40


def bar_chart_svg(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    max_value: float | None = None,
    unit: str = "",
) -> str:
    """A vertical bar chart; ``None`` values are drawn as an empty slot."""
    top = max_value if max_value is not None else max([v or 0 for v in values] + [1])
    top = top or 1
    n = max(len(values), 1)
    slot = (WIDTH - 2 * PAD) / n
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{PAD}" y="20" font-family="sans-serif" font-size="14">{escape(title)}</text>',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#333"/>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = PAD + i * slot + slot * 0.1
        if value is not None:
            h = (HEIGHT - 2 * PAD - 10) * float(value) / float(top)
            parts.append(
                f'<rect x="{x:.1f}" y="{HEIGHT - PAD - h:.1f}" width="{slot * 0.8:.1f}" '
                f'height="{h:.1f}" fill="#2b6cb0"><title>{escape(label)}: {value}{unit}'
                "</title></rect>"
            )
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - PAD + 14}" font-family="sans-serif" '
            f'font-size="9">{escape(label[:12])}</text>'
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
) -> str:
    """``compliance_by_week`` or ``breaches_by_unit`` over the tickets ``user`` may read."""
    from apps.performance import selectors

    reading: dict[str, Any] = {"user": user, "scope": scope, "start": start, "end": end, "now": now}
    if chart == "compliance_by_week":
        weeks = selectors.compliance_by_week(**reading)
        return bar_chart_svg(
            title=str(_("SLA compliance per week (%)")),
            labels=[f"{w['week']:%d %b}" for w in weeks],
            values=[w["compliance_pct"] for w in weeks],
            max_value=100,
            unit="%",
        )
    rows = selectors.performance_report(grouping="unit", **reading)
    rows = sorted(rows, key=lambda r: -r["breaches"])[:20]
    return bar_chart_svg(
        title=str(_("Breaches by unit")),
        labels=[r["code"] or "-" for r in rows],
        values=[r["breaches"] for r in rows],
    )
