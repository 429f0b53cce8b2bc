"""The ticket page's timeline: which unit each transfer went to (docs/triage.md)."""

from collections.abc import Sequence

from apps.accounts.models import Agency
from apps.reports import events as vocabulary
from apps.reports.models import ReportEvent


def event_destinations(*, events: Sequence[ReportEvent]) -> dict[int, str]:
    """The receiving unit's name for each transfer event, by event primary key (one query)."""
    transfers = {event.pk: vocabulary.transfer_read(event) for event in events}
    wanted = {
        pk: transfer.to_agency_id
        for pk, transfer in transfers.items()
        if transfer is not None and transfer.to_agency_id is not None
    }
    if not wanted:
        return {}
    names = dict(
        Agency.objects.filter(pk__in=sorted(set(wanted.values()))).values_list("pk", "name")
    )
    return {pk: names[agency_id] for pk, agency_id in wanted.items() if agency_id in names}
