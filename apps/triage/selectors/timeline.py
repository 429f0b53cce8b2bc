"""The ticket page's timeline: which unit each transfer went to (docs/triage.md)."""

from collections.abc import Sequence

from apps.accounts.models import Agency
from apps.reports.models import ReportEvent


def event_destinations(*, events: Sequence[ReportEvent]) -> dict[int, str]:
    """The receiving unit's name for each transfer event, by event primary key (one query)."""
    wanted = {
        event.pk: event.data["to_agency_id"]
        for event in events
        if event.kind == ReportEvent.Kind.TRANSFERRED
        and isinstance(event.data, dict)
        and isinstance(event.data.get("to_agency_id"), int)
    }
    if not wanted:
        return {}
    names = dict(
        Agency.objects.filter(pk__in=sorted(set(wanted.values()))).values_list("pk", "name")
    )
    return {pk: names[agency_id] for pk, agency_id in wanted.items() if agency_id in names}
