"""The citizen's data export (UU PDP Art. 7/13/32) with their tickets (docs/privacy.md §6).

Identity sits below reports in the dependency order, so it cannot see tickets: it builds the
profile, reveals and inbox (``apps.identity.selectors.reporter_export``) and this module adds
the ``reports`` section.
"""

from typing import Any

from django.db.models import Prefetch, QuerySet

from apps.identity.models import Reporter
from apps.identity.selectors import reporter_export
from apps.reports.models import Report, ReportEvent, ReportMessage


def report_list_for_export(*, reporter: Reporter) -> QuerySet[Report]:
    """The reporter's own tickets, oldest first, each with its public timeline
    (``export_events``) and its message thread (``export_messages``) prefetched.

    Internal events stay out, as in the citizen's own timeline. Four queries in all.
    """
    events = (
        ReportEvent.objects.filter(visibility=ReportEvent.Visibility.PUBLIC)
        .select_related("agency", "actor")
        .order_by("created_at", "pk")
    )
    messages = ReportMessage.objects.select_related("agency").order_by("created_at", "pk")
    return (
        Report.objects.filter(reporter=reporter)
        .select_related("category", "area")
        .defer("area__boundary")
        .prefetch_related(
            Prefetch("events", queryset=events, to_attr="export_events"),
            Prefetch("messages", queryset=messages, to_attr="export_messages"),
        )
        .order_by("created_at", "pk")
    )


def reporter_export_with_reports(*, reporter: Reporter) -> dict[str, Any]:
    """Identity's export (profile, reveals, inbox) plus ``reports``: every ticket the
    reporter filed. Only for the reporter themselves (the caller checks)."""
    return {
        **reporter_export(reporter=reporter),
        "reports": list(report_list_for_export(reporter=reporter)),
    }
