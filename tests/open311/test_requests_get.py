import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.identity.models import Reporter
from apps.open311.selectors import EARLIEST, LATEST, request_window
from apps.reports.models import Report
from tests.conftest import TEBET_ECO_PARK
from tests.factories import ReporterFactory
from tests.open311.factories import (
    OPEN311_DATETIME,
    assert_no_empty_elements,
    client_app,
    file_report,
    xml_root,
    xml_rows,
)
from tests.reports.transitions import report_transition

pytestmark = pytest.mark.django_db

REQUEST_KEYS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "zipcode",
    "lat",
    "long",
}


def get_json(client: Client, path: str) -> list[dict[str, object]]:
    response = client.get(path)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_single_request_json_is_a_list_with_strict_fields(client: Client) -> None:
    report = file_report()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    rows = get_json(client, f"/open311/v2/requests/{report.public_id}.json")
    assert len(rows) == 1
    row = rows[0]
    assert set(row) == REQUEST_KEYS
    assert row["service_request_id"] == report.public_id
    assert isinstance(row["service_request_id"], str)
    assert re.fullmatch(r"LW-[23456789A-HJ-NP-Z]{6}", row["service_request_id"])
    assert (row["status"], row["status_notes"]) == ("open", "menunggu: Waiting for the unit")
    assert row["service_code"] == "banjir"
    assert row["service_name"] == "Flooding"
    assert row["agency_responsible"] == (
        "Suku Dinas Sumber Daya Air Kota Administrasi Jakarta Pusat"
    )
    assert row["address"] == "Kelurahan Gambir, Kecamatan Gambir, Kota Administrasi Jakarta Pusat"
    assert row["zipcode"] == "10110"
    assert (row["lat"], row["long"]) == (-6.1754, 106.8272)
    for key in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert OPEN311_DATETIME.match(str(row[key])), row[key]


def test_single_request_xml(client: Client) -> None:
    report = file_report(address_hint="Depan Stasiun Gambir")
    response = client.get(f"/open311/v2/requests/{report.public_id}.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    root = xml_root(response.content)
    assert_no_empty_elements(root)
    assert root.tag == "service_requests"
    rows = xml_rows(root)
    assert [r["service_request_id"] for r in rows] == [report.public_id]
    assert rows[0]["address"] == "Depan Stasiun Gambir"
    assert "media_url" not in rows[0]  # no photo: the element is omitted, never empty
    for key in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert OPEN311_DATETIME.match(rows[0][key])


def test_closed_status_maps_and_drops_the_expected_datetime(client: Client) -> None:
    report = file_report()
    report_transition(report=report, to=Report.Status.DITOLAK, actor=None, note="Bukan banjir")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    row = get_json(client, f"/open311/v2/requests/{report.public_id}.json")[0]
    assert (row["status"], row["status_notes"]) == ("closed", "ditolak: Rejected")
    assert "expected_datetime" not in row
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "id"
    row = get_json(client, f"/open311/v2/requests/{report.public_id}.json")[0]
    assert row["status_notes"] == "ditolak: Ditolak"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_private_and_unknown_requests_are_404(client: Client, fmt: str) -> None:
    private = file_report(is_public=False)
    for public_id in (private.public_id, "LW-ZZZZZZ", "1"):
        response = client.get(f"/open311/v2/requests/{public_id}.{fmt}")
        assert response.status_code == 404
        assert response["Content-Type"] == ("application/json" if fmt == "json" else "text/xml")


def test_list_defaults_to_public_reports_of_the_last_90_days(
    client: Client, django_assert_num_queries: object
) -> None:
    recent = file_report()
    second = file_report(category="sampah", location=TEBET_ECO_PARK)
    old = file_report()
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=91))
    file_report(is_public=False)
    with django_assert_num_queries(1):  # type: ignore[operator]
        rows = get_json(client, "/open311/v2/requests.json")
    assert [r["service_request_id"] for r in rows] == [second.public_id, recent.public_id]


def test_list_filters(client: Client) -> None:
    flood = file_report()
    rubbish = file_report(category="sampah", location=TEBET_ECO_PARK)
    closed = file_report(category="sampah")
    report_transition(report=closed, to=Report.Status.DITOLAK, actor=None, note="Duplikat")
    old = file_report()
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=200))

    def ids(query: str) -> list[object]:
        return [
            r["service_request_id"] for r in get_json(client, "/open311/v2/requests.json" + query)
        ]

    assert ids("?service_code=sampah") == [closed.public_id, rubbish.public_id]
    assert ids("?service_code=sampah,banjir&status=open") == [rubbish.public_id, flood.public_id]
    assert ids("?status=closed") == [closed.public_id]
    # service_request_id wins over every other filter, the date window included
    assert ids(f"?service_request_id={old.public_id},{flood.public_id}&service_code=x") == [
        flood.public_id,
        old.public_id,
    ]
    start = (timezone.now() - timedelta(days=210)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (timezone.now() - timedelta(days=190)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(f"?start_date={start}&end_date={end}&jurisdiction_id=jakarta") == [old.public_id]
    assert ids(f"?end_date={end}") == [old.public_id]


@pytest.mark.parametrize(
    ("query", "description"),
    [
        ("?start_date=kemarin", "start_date: Use a W3C datetime with a time zone"),
        ("?start_date=2025-01-01T00:00:00", "start_date: Use a W3C datetime with a time zone"),
        ("?start_date=2025-03-01&end_date=2025-01-01", "start_date: start_date must not be after"),
        ("?start_date=2025-01-01&end_date=2025-06-01", "end_date: start_date to end_date may span"),
        ("?status=pending", "status: Use open, closed or open,closed."),
    ],
)
def test_bad_filters_are_400(client: Client, query: str, description: str) -> None:
    response = client.get("/open311/v2/requests.json" + query)
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body[0]["code"] == 400
    assert body[0]["description"].startswith(description)


def test_list_xml_has_no_empty_elements_and_utc_dates(client: Client) -> None:
    file_report()
    file_report(category="pohon_tumbang", location=TEBET_ECO_PARK, address_hint="  ")
    response = client.get("/open311/v2/requests.xml")
    assert response["Content-Type"] == "text/xml"
    root = xml_root(response.content)
    assert_no_empty_elements(root)
    rows = xml_rows(root)
    assert len(rows) == 2
    assert rows[0]["address"] == (
        "Kelurahan Tebet Timur, Kecamatan Tebet, Kota Administrasi Jakarta Selatan"
    )
    for row in rows:
        assert row["address"]
        assert row["status"] in ("open", "closed")
        assert OPEN311_DATETIME.match(row["requested_datetime"])


def test_tokens_resolve_to_the_request(client: Client) -> None:
    _, key = client_app()
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "banjir",
            "lat": "-6.1754",
            "long": "106.8272",
            "description": "Banjir",
            "attribute[PUBLIC]": "no",
        },
    )
    assert "token" not in json.loads(response.content)[0]  # created synchronously: the id only
    report = Report.objects.get()
    token = str(report.client_request_id)
    assert get_json(client, f"/open311/v2/tokens/{token}.json") == [
        {"service_request_id": report.public_id, "token": token}
    ]
    root = xml_root(client.get(f"/open311/v2/tokens/{token}.xml").content)
    assert xml_rows(root) == [{"service_request_id": report.public_id, "token": token}]


def test_tokens_of_other_channels_and_garbage_are_404(client: Client) -> None:
    app_report = file_report()
    for token in (str(app_report.client_request_id), "not-a-uuid"):
        response = client.get(f"/open311/v2/tokens/{token}.json")
        assert response.status_code == 404
        assert json.loads(response.content) == [{"code": 404, "description": "token not found."}]


def test_no_reporter_data_in_any_open311_output(client: Client) -> None:
    """PII canary: the reporter's pseudonym, contact details and account never appear."""
    _, key = client_app()
    canary_name, canary_email = "CANARY-Nama", "canary-7731@example.id"
    client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "banjir",
            "lat": "-6.1754",
            "long": "106.8272",
            "description": "Banjir di depan gedung",
            "first_name": canary_name,
            "email": canary_email,
            "phone": "081234567890",
            "device_id": "CANARY-DEVICE",
        },
    )
    citizen = ReporterFactory(pseudonym="Warga-CANARY")
    by_citizen = file_report(reporter=citizen, location=TEBET_ECO_PARK)
    report = Report.objects.get(channel=Report.Channel.OPEN311)
    token = str(report.client_request_id)
    outputs = b""
    for fmt in ("json", "xml"):
        for path in (
            f"/open311/v2/requests.{fmt}",
            f"/open311/v2/requests/{report.public_id}.{fmt}",
            f"/open311/v2/requests/{by_citizen.public_id}.{fmt}",
            f"/open311/v2/tokens/{token}.{fmt}",
        ):
            response = client.get(path)
            assert response.status_code == 200
            outputs += response.content
    text = outputs.decode()
    pseudonyms = list(Reporter.objects.values_list("pseudonym", flat=True))
    assert len(pseudonyms) == 2
    for secret in [canary_name, canary_email, "081234567890", "CANARY-DEVICE", *pseudonyms]:
        assert secret not in text
    for field in ("reporter", "pseudonym", "email", "phone", "first_name", "account_id"):
        assert field not in text


def test_control_characters_in_stored_text_do_not_break_the_xml(client: Client) -> None:
    report = file_report(description="Banjir\x01 besar\x0b di sini")
    response = client.get(f"/open311/v2/requests/{report.public_id}.xml")
    root = xml_root(response.content)  # parses
    assert xml_rows(root)[0]["description"] == "Banjir besar di sini"
    row = get_json(client, f"/open311/v2/requests/{report.public_id}.json")[0]
    assert row["description"] == "Banjir\x01 besar\x0b di sini"


def test_api_key_in_the_query_string_is_accepted(client: Client) -> None:
    _, key = client_app()
    response = client.post(
        f"/open311/v2/requests.json?api_key={key}",
        {"service_code": "banjir", "lat": "-6.1754", "long": "106.8272", "description": "Banjir"},
    )
    assert response.status_code == 200
    assert Report.objects.get().channel == Report.Channel.OPEN311


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "query",
    [
        "?start_date=9999-12-31",
        "?start_date=9999-12-31T00:00:00Z",
        "?start_date=9999-12-31T23:59:59-14:00",
        "?end_date=0001-01-01",
        "?end_date=0001-01-01T00:00:00Z",
        "?end_date=0001-01-01T00:00:00%2B14:00",
        "?start_date=0001-01-01",
        "?end_date=9999-12-31T23:59:59Z",
    ],
)
def test_dates_at_the_ends_of_the_calendar_answer_an_empty_list(
    client: Client, query: str, fmt: str
) -> None:
    file_report()
    response = client.get(f"/open311/v2/requests.{fmt}" + query)
    assert response.status_code == 200, response.content
    if fmt == "json":
        assert response["Content-Type"] == "application/json"
        assert json.loads(response.content) == []
    else:
        assert response["Content-Type"] == "text/xml"
        root = xml_root(response.content)
        assert (root.tag, len(root)) == ("service_requests", 0)


def test_a_one_sided_window_stops_at_the_ends_of_the_calendar() -> None:
    span, now = timedelta(days=90), timezone.now()
    late = datetime(9999, 12, 31, tzinfo=UTC)
    early = datetime(1, 1, 1, tzinfo=UTC)
    assert request_window(start=late, end=None, span=span, now=now) == (late, LATEST)
    assert request_window(start=None, end=early, span=span, now=now) == (EARLIEST, early)
    assert (LATEST.tzinfo, EARLIEST.tzinfo) == (UTC, UTC)
    # Windows inside the calendar are unchanged.
    assert request_window(start=None, end=None, span=span, now=now) == (now - span, now)
    assert request_window(start=early, end=None, span=span, now=now) == (early, early + span)
    assert request_window(start=None, end=late, span=span, now=now) == (late - span, late)


def test_status_lists_are_sets(client: Client) -> None:
    open_report = file_report()
    closed = file_report(category="sampah", location=TEBET_ECO_PARK)
    report_transition(report=closed, to=Report.Status.DITOLAK, actor=None, note="Duplikat")
    both = {open_report.public_id, closed.public_id}

    def ids(status: str) -> set[object]:
        rows = get_json(client, f"/open311/v2/requests.json?status={status}")
        return {r["service_request_id"] for r in rows}

    assert ids("open") == ids("open,open") == ids("OPEN, open,open") == {open_report.public_id}
    assert ids("closed") == ids("closed,closed") == {closed.public_id}
    assert ids("open,closed") == ids("closed,open") == ids("closed,open,closed") == both
    assert ids("") == both


@pytest.mark.parametrize("status", ["open,pending", "pending,pending", "open,,x"])
def test_an_unknown_status_in_a_list_is_a_400(client: Client, status: str) -> None:
    response = client.get(f"/open311/v2/requests.json?status={status}")
    assert response.status_code == 400
    assert json.loads(response.content) == [
        {"code": 400, "description": "status: Use open, closed or open,closed."}
    ]
