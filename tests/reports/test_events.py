import pytest

from apps.reports import events
from apps.reports.models import ReportEvent


def test_a_transfer_written_by_the_writer_reads_back() -> None:
    data = events.transfer_data(
        mode=events.TransferMode.BUKAN_WEWENANG,
        from_agency=(7, "SDA-JP"),
        to_agency=(1, "TRIASE"),
        extra=events.reason_data(reason_code="wrong_area"),
    )
    event = ReportEvent(kind=ReportEvent.Kind.TRANSFERRED, data=data)
    assert events.transfer_read(event) == events.Transfer(
        mode="bukan_wewenang", from_agency_id=7, to_agency_id=1, request_event_id=None
    )
    assert data["from_agency"] == "SDA-JP"
    assert data["reason_code"] == "wrong_area"


def test_an_unknown_mode_is_refused_and_other_kinds_are_not_transfers() -> None:
    with pytest.raises(ValueError, match="sideways"):
        events.transfer_data(mode="sideways", from_agency=(1, "A"), to_agency=(2, "B"))
    assert events.transfer_read(ReportEvent(kind=ReportEvent.Kind.STATUS, data={})) is None
    malformed = ReportEvent(kind=ReportEvent.Kind.TRANSFERRED, data={"to_agency_id": "2"})
    assert events.transfer_read(malformed) == events.Transfer(
        mode="", from_agency_id=None, to_agency_id=None, request_event_id=None
    )
