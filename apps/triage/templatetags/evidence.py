"""``{% ticket_evidence ticket %}``: the CCTV evidence panel of the admin ticket page.

A tag (not context from the ticket view) so that the page needs one line to show it.
"""

from typing import Any

from django import template

from apps.reports.models import ClipPlay, Report
from apps.triage.selectors.evidence import ticket_evidence_for_user

register = template.Library()


@register.inclusion_tag("admin/reports/report/evidence_panel.html", takes_context=True)
def ticket_evidence(context: dict[str, Any], ticket: Report) -> dict[str, Any]:
    request = context["request"]
    return {
        "ticket": ticket,
        "evidence": ticket_evidence_for_user(user=request.user, report=ticket),
        "purposes": ClipPlay.Purpose.choices,
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }


@register.filter
def signed_duration(seconds: float | None) -> str:
    """``-2:00`` / ``+0:45`` / ``+1:02:03``: a clip's start relative to the report time."""
    if seconds is None:
        return ""
    sign = "-" if seconds < 0 else "+"
    total = round(abs(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes}:{secs:02d}"
