"""The report timeline's vocabulary: event kinds, transfer modes, the keys of ``data``.

``ReportEvent.Kind`` names the kinds (re-exported here as ``Kind``); ``Key`` names every key
of ``data`` and ``By`` the values of ``Key.BY``. Each event's ``data`` has one writer here:

* ``transferred``: ``transfer_data`` / ``koordinasi_accepted_data`` / ``merged_data``; read by
  ``transfer_read`` (found with ``transfer_filter``);
* ``created``, ``assigned``, ``rating``: ``created_data``, ``assigned_data``, ``rating_data``;
* ``status``: ``handed_to_data`` (disposisi, koordinasi), ``reason_data`` (rejection, return),
  ``completed_data`` (selesai), ``merged_into_data`` (a merged duplicate),
  ``reporter_confirmed_data`` / ``reopened_data`` (the reporter's own), ``auto_confirm_data``,
  and ``follows_data`` on a duplicate following its parent; ``by_reporter`` reads ``Key.BY``;
* ``message``: ``message_data``; ``photo``: ``after_photo_data``; ``corrected``:
  ``corrected_data``;
* ``support`` and ``claimed`` carry no data (their one writers are
  ``services.engagement.report_support`` and ``report_claim``).

The services, the SLA attribution, the staff timeline and the demo generator use these
instead of string keys, so what one writes the others read.
"""

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.reports.models import ReportEvent

Kind = ReportEvent.Kind


class TransferMode(models.TextChoices):
    """``data["mode"]`` of a ``transferred`` event."""

    DISPOSISI = "disposisi", _("Disposisi")
    KOORDINASI = "koordinasi", _("Koordinasi requested")
    KOORDINASI_ACCEPTED = "koordinasi_accepted", _("Koordinasi accepted")
    KOORDINASI_DECLINED = "koordinasi_declined", _("Koordinasi declined")
    BUKAN_WEWENANG = "bukan_wewenang", _("Returned: not our remit")
    REOPEN = "reopen", _("Reopened to a unit")
    MERGED = "merged", _("Duplicate merged in")


class Key:
    """The keys of ``ReportEvent.data``."""

    MODE = "mode"
    FROM_AGENCY = "from_agency"  # a unit's code
    TO_AGENCY = "to_agency"
    FROM_AGENCY_ID = "from_agency_id"
    TO_AGENCY_ID = "to_agency_id"
    REQUEST_EVENT_ID = "request_event_id"  # the koordinasi request an answer is to
    DUPLICATE = "duplicate"
    REASON_CODE = "reason_code"
    PREVIOUS_STATUS = "previous_status"
    KOORDINASI_DECLINED_BY = "koordinasi_declined_by"  # a unit's code
    ASSIGNEE = "assignee"  # a username
    PREVIOUS_ASSIGNEE_ID = "previous_assignee_id"
    CHANNEL = "channel"
    PHOTOS = "photos"
    RATING = "rating"
    PREVIOUS_ASSIGNEE = "previous_assignee"  # a username, as the staff API shows it
    BY = "by"  # who made a status change that was not the unit's (``By``)
    AFTER_DAYS = "after_days"
    FOLLOWS = "follows"  # a duplicate follows its parent (public id)
    MERGED_INTO = "merged_into"  # a duplicate merged into a parent (public id)
    REASON = "reason"  # the reporter's words on a reopen
    BACK_TO = "back_to"  # the unit a reopened ticket returns to (code)
    AFTER_PHOTO = "after_photo"  # the completion's photo (its number)
    MESSAGE_ID = "message_id"
    DIRECTION = "direction"
    PHOTO = "photo"  # a photo's number
    PHOTO_KIND = "kind"
    DISTANCE_M = "distance_m"
    LOCATION_SOURCE = "location_source"
    GEOTAG = "geotag"  # [lon, lat]
    FROM = "from"  # a correction's place and time before …
    TO = "to"  # … and after


class By:
    """Values of ``data["by"]``: a status change the unit did not make."""

    REPORTER = "reporter"
    PARENT_REPORTER = "parent_reporter"  # a duplicate following its parent's reporter
    AUTO = "auto"


def transfer_data(
    *,
    mode: str,
    from_agency: tuple[int, str],
    to_agency: tuple[int, str],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A change of unit (``from_agency``/``to_agency``: (id, code))."""
    return {
        Key.MODE: TransferMode(mode).value,
        Key.FROM_AGENCY: from_agency[1],
        Key.TO_AGENCY: to_agency[1],
        Key.TO_AGENCY_ID: to_agency[0],
        Key.FROM_AGENCY_ID: from_agency[0],
        **(extra or {}),
    }


def koordinasi_accepted_data(*, request_event_id: int | None) -> dict[str, Any]:
    """The receiving unit's answer to the koordinasi request ``request_event_id``."""
    return {
        Key.MODE: TransferMode.KOORDINASI_ACCEPTED.value,
        Key.REQUEST_EVENT_ID: request_event_id,
    }


def merged_data(*, duplicate: str) -> dict[str, Any]:
    """A duplicate (its public id) merged into the ticket."""
    return {Key.MODE: TransferMode.MERGED.value, Key.DUPLICATE: duplicate}


@dataclass(frozen=True)
class Transfer:
    mode: str
    from_agency_id: int | None
    to_agency_id: int | None
    request_event_id: int | None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def transfer_read(event: ReportEvent) -> Transfer | None:
    """A ``transferred`` event's data (None for any other kind or a malformed row)."""
    if event.kind != Kind.TRANSFERRED or not isinstance(event.data, dict):
        return None
    data = event.data
    return Transfer(
        mode=str(data.get(Key.MODE, "")),
        from_agency_id=_int(data.get(Key.FROM_AGENCY_ID)),
        to_agency_id=_int(data.get(Key.TO_AGENCY_ID)),
        request_event_id=_int(data.get(Key.REQUEST_EVENT_ID)),
    )


def transfer_filter(*, mode: str, from_agency_id: int, to_agency_id: int) -> dict[str, Any]:
    """ORM lookups matching the transfer events with these values (for ``filter(**…)``)."""
    return {
        "kind": Kind.TRANSFERRED,
        f"data__{Key.MODE}": TransferMode(mode).value,
        f"data__{Key.FROM_AGENCY_ID}": from_agency_id,
        f"data__{Key.TO_AGENCY_ID}": to_agency_id,
    }


def assigned_data(*, assignee: str, previous_assignee_id: int | None) -> dict[str, Any]:
    """An officer (``assignee``: username) takes the ticket over from another (or nobody)."""
    return {Key.ASSIGNEE: assignee, Key.PREVIOUS_ASSIGNEE_ID: previous_assignee_id}


def handed_to_data(*, to_agency: str) -> dict[str, Any]:
    """The status event of a disposisi or koordinasi request: the receiving unit's code."""
    return {Key.TO_AGENCY: to_agency}


def reason_data(*, reason_code: str) -> dict[str, Any]:
    """A rejection's status event, or a return's transfer and status events."""
    return {Key.REASON_CODE: reason_code}


def created_data(*, channel: str, photos: int) -> dict[str, Any]:
    return {Key.CHANNEL: channel, Key.PHOTOS: photos}


def rating_data(*, rating: int) -> dict[str, Any]:
    return {Key.RATING: rating}


def auto_confirm_data(*, after_days: int) -> dict[str, Any]:
    """The status event of a completion confirmed automatically after ``after_days``."""
    return {Key.BY: By.AUTO, Key.AFTER_DAYS: after_days}


def reporter_confirmed_data() -> dict[str, Any]:
    """The status event of the reporter's own confirmation."""
    return {Key.BY: By.REPORTER}


def reopened_data(*, reason: str, back_to: str) -> dict[str, Any]:
    """The status event of the reporter's reopen: their reason and the unit it returns to."""
    return {Key.BY: By.REPORTER, Key.REASON: reason, Key.BACK_TO: back_to}


def by_reporter(event: ReportEvent) -> bool:
    """Whether the reporter made this change themselves (confirm, reopen)."""
    return isinstance(event.data, dict) and event.data.get(Key.BY) == By.REPORTER


def follows_data(*, parent: str, by_parent_reporter: bool) -> dict[str, Any]:
    """The status event of a merged duplicate following its parent (``parent``: public id)."""
    return {Key.FOLLOWS: parent, **({Key.BY: By.PARENT_REPORTER} if by_parent_reporter else {})}


def merged_into_data(*, parent: str) -> dict[str, Any]:
    """The status event of a duplicate merged into ``parent`` (public id)."""
    return {Key.MERGED_INTO: parent}


def completed_data(*, after_photo: int) -> dict[str, Any]:
    """The ``selesai`` status event: the number of the completion's photo."""
    return {Key.AFTER_PHOTO: after_photo}


def after_photo_data(
    *,
    photo: int,
    kind: str,
    distance_m: float | None,
    location_source: str,
    geotag: tuple[float, float],
) -> dict[str, Any]:
    """A ``photo`` event: which photo, how far from the report and by which position."""
    return {
        Key.PHOTO: photo,
        Key.PHOTO_KIND: kind,
        Key.DISTANCE_M: distance_m,
        Key.LOCATION_SOURCE: location_source,
        Key.GEOTAG: list(geotag),
    }


def message_data(*, message_id: int, direction: str) -> dict[str, Any]:
    """A ``message`` event: the relayed message and its direction."""
    return {Key.MESSAGE_ID: message_id, Key.DIRECTION: direction}


def corrected_data(*, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """A ``corrected`` event: the place and time before and after the correction."""
    return {Key.FROM: before, Key.TO: after}
