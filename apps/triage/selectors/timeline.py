"""A ticket's timeline as staff see it: its events, their data without internal ids, and which
unit each transfer went to (docs/triage.md)."""

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet

from apps.accounts.models import Agency, User
from apps.reports import events as vocabulary
from apps.reports.events import Key
from apps.reports.models import Report, ReportEvent
from apps.triage.selectors.scope import StaffScope


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


def report_timeline_for_staff(*, report: Report, scope: StaffScope) -> QuerySet[ReportEvent]:
    """The ticket's events, oldest first; monitors get the public ones only."""
    queryset = ReportEvent.objects.filter(report=report)
    if scope.is_monitor_only:
        queryset = queryset.filter(visibility=ReportEvent.Visibility.PUBLIC)
    return queryset.select_related("agency", "actor").order_by("created_at", "pk")


# Keys of stored event data that hold primary keys. The services and the SLA attribution read
# them as stored; the staff API names the unit by its code and the officer by username.
_EVENT_AGENCY_KEYS = {Key.FROM_AGENCY_ID: Key.FROM_AGENCY, Key.TO_AGENCY_ID: Key.TO_AGENCY}
_EVENT_USER_KEYS = {Key.PREVIOUS_ASSIGNEE_ID: Key.PREVIOUS_ASSIGNEE}


def event_data_for_staff(*, events: Sequence[ReportEvent]) -> dict[int, dict[str, Any]]:
    """Each event's ``data`` as the staff API shows it, by event primary key: no integer keys.

    A unit stored by id appears as its code (``to_agency``), an officer as their username
    (``previous_assignee``; ``null`` when there was none); any other ``…_id`` key (the id
    of a message or of a koordinasi request event) is an internal reference and is left
    out. At most one query for units and one for users, and none when no event needs them.
    """
    agency_ids: set[int] = set()
    user_ids: set[int] = set()
    for event in events:
        data = event.data if isinstance(event.data, dict) else {}
        agency_ids.update(
            value
            for key, name in _EVENT_AGENCY_KEYS.items()
            if name not in data and isinstance(value := data.get(key), int)
        )
        user_ids.update(
            value for key in _EVENT_USER_KEYS if isinstance(value := data.get(key), int)
        )
    agencies = (
        dict(Agency.objects.filter(pk__in=sorted(agency_ids)).values_list("pk", "code"))
        if agency_ids
        else {}
    )
    users = (
        dict(User.objects.filter(pk__in=sorted(user_ids)).values_list("pk", "username"))
        if user_ids
        else {}
    )
    shown: dict[int, dict[str, Any]] = {}
    for event in events:
        data = event.data if isinstance(event.data, dict) else {}
        out = {key: value for key, value in data.items() if not key.endswith("_id")}
        for key, name in _EVENT_AGENCY_KEYS.items():
            if key in data and name not in out:
                out[name] = agencies.get(data[key])
        for key, name in _EVENT_USER_KEYS.items():
            if key in data:
                out[name] = users.get(data[key])
        shown[event.pk] = out
    return shown
