"""GeoReport v2 POST rules: an address instead of coordinates, an optional description up to
4,000 characters, ``media_url`` stored and returned, repeated query parameters, and a doubled
slash after the discovered endpoint (docs/open311.md)."""

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.gis.geos import Point
from django.test import Client

from apps.open311.models import ClientSubmission
from apps.reports.models import Report
from apps.routing.models import Area
from apps.routing.selectors import route
from apps.routing.selectors_address import kelurahan_for_address
from apps.triage.selectors.scope import report_list_for_user
from tests.open311.factories import client_app, file_report, jpeg_upload, xml_root, xml_rows
from tests.triage.triage_helpers import TRIAGE, officer

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
GAMBIR = "31.71.01.1001"


@pytest.fixture
def key(db: None) -> str:
    return client_app()[1]


def post(client: Client, key: str, path: str = "/open311/v2/requests.json", **fields: Any) -> Any:
    body = {"api_key": key, "service_code": "banjir", **fields}
    return client.post(path, data=urlencode(body), content_type=FORM)


def only(response: Any) -> Report:
    assert response.status_code == 200, response.content
    (row,) = json.loads(response.content)
    return Report.objects.select_related("area", "agency").get(public_id=row["service_request_id"])


# ---- address without coordinates --------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"address_string": "Jl. Medan Merdeka Barat, Kel. Gambir"},
        {"address_string": "Jl. Medan Merdeka Barat 10110"},  # Gambir's postal code
        {"address_string": "depan halte", "address_id": GAMBIR},
        {"address_id": GAMBIR},
    ],
)
def test_an_address_naming_a_kelurahan_is_routed_there_and_flagged_approximate(
    client: Client, key: str, fields: dict[str, str]
) -> None:
    gambir = Area.objects.get(code=GAMBIR)
    assert gambir.postal_code == "10110"
    report = only(post(client, key, description="Genangan", **fields))
    assert report.location_precision == Report.LocationPrecision.KELURAHAN
    assert report.area_id == gambir.pk
    assert report.location is not None
    assert Area.objects.filter(pk=gambir.pk, boundary__covers=report.location).exists()
    # The same unit as for a point reported inside Gambir; the explanation says how.
    assert report.agency_id == route(point=report.location, category=report.category).agency.pk
    assert report.routing_explanation["match"] == "address"
    assert report.routing_explanation["address_kelurahan"] == [GAMBIR]
    assert report.provisional_due_at == report.created_at + timedelta(days=report.category.sla_days)
    # Read back: the kelurahan's postal code, never a point that would pass for the exact one.
    (row,) = json.loads(client.get(f"/open311/v2/requests/{report.public_id}.json").content)
    assert (row["zipcode"], "lat" in row, "long" in row) == ("10110", False, False)
    root = xml_root(client.get(f"/open311/v2/requests/{report.public_id}.xml").content)
    assert {"lat", "long"}.isdisjoint(xml_rows(root)[0])


def test_an_address_naming_no_area_waits_in_central_triage_with_its_clock_running(
    client: Client, key: str
) -> None:
    report = only(post(client, key, description="Banjir", address_string="Jl. Tak Dikenal 5"))
    assert report.location_precision == Report.LocationPrecision.UNKNOWN
    assert (report.location, report.area) == (None, None)
    assert report.agency.code == TRIAGE
    assert report.custody.get().agency.code == TRIAGE
    assert report.status == Report.Status.MENUNGGU
    assert report.provisional_due_at == report.created_at + timedelta(days=report.category.sla_days)
    assert report.routing_explanation == {
        "match": "location_to_be_confirmed",
        "rule": "central_triage",
        "category": "banjir",
        "address_kelurahan": [],
        "address_kecamatan": [],
    }
    # Central triage sees it in its queue (API and admin) and can open the ticket page.
    triage = officer(TRIAGE)
    assert report in report_list_for_user(user=triage)
    staff = Client()
    staff.force_login(triage)
    queue = staff.get("/admin/reports/report/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert report.public_id in queue
    assert "Location to be confirmed" in queue
    page = staff.get(f"/admin/reports/report/{report.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Location to be confirmed" in page.content.decode()
    # Open311 shows the address it was given and no coordinates or zipcode.
    (row,) = json.loads(client.get(f"/open311/v2/requests/{report.public_id}.json").content)
    assert row["address"] == "Jl. Tak Dikenal 5"
    assert {"lat", "long", "zipcode"}.isdisjoint(row)


def test_an_address_id_alone_that_names_nothing_reads_as_to_be_confirmed(
    client: Client, key: str
) -> None:
    report = only(post(client, key, address_id="RW-05"))
    path = f"/open311/v2/requests/{report.public_id}.json"
    (row,) = json.loads(client.get(path, HTTP_ACCEPT_LANGUAGE="id").content)
    assert row["address"] == "Lokasi belum dipastikan"
    (row,) = json.loads(client.get(path, HTTP_ACCEPT_LANGUAGE="en").content)
    assert row["address"] == "Location to be confirmed"


@pytest.mark.parametrize(
    ("address", "address_id", "expected"),
    [
        ("Kelurahan Menteng Atas", "", "31.74.02.1005"),  # not "Menteng" inside it
        ("Kecamatan Menteng", "", None),  # a kecamatan alone picks no kelurahan
        ("Gambir", "", GAMBIR),  # the kelurahan, though a kecamatan has the same name
        ("Jl. Gambir, 10340", "", None),  # postal code and name disagree: triage decides
        ("", "31.71.01", None),  # a kecamatan code
        ("KEBON SIRIH!!", "", "31.71.06.1005"),
    ],
)
def test_what_an_address_resolves_to(address: str, address_id: str, expected: str | None) -> None:
    match = kelurahan_for_address(address=address, address_id=address_id)
    assert (match.kelurahan.code if match.kelurahan else None) == expected
    assert (match.point is None) == (expected is None)


def test_a_shared_postal_code_is_narrowed_by_the_named_kecamatan() -> None:
    shared = (
        Area.objects.filter(level=Area.Level.KELURAHAN)
        .exclude(postal_code="")
        .values_list("postal_code", flat=True)
        .order_by("postal_code")
    )
    postal = next(code for code in shared if list(shared).count(code) == 2)
    first, second = Area.objects.filter(postal_code=postal).select_related("parent").order_by("pk")
    assert kelurahan_for_address(address=f"Jl. X {postal}").kelurahan is None
    if first.parent_id != second.parent_id:
        named = kelurahan_for_address(address=f"Jl. X {postal}, Kecamatan {second.parent.name}")
        assert named.kelurahan == second


def test_address_only_reports_stay_off_the_public_map_and_the_nearby_check(
    client: Client, key: str
) -> None:
    approximate = only(post(client, key, description="Banjir", address_id=GAMBIR))
    exact = file_report(location=Point(106.8272, -6.1754, srid=4326))
    assert approximate.location is not None
    lon, lat = approximate.location.x, approximate.location.y
    feed = client.get(
        "/api/v1/reports/public/", {"bbox": f"{lon - 0.05},{lat - 0.05},{lon + 0.05},{lat + 0.05}"}
    ).json()
    assert [f["id"] for f in feed["features"]] == [exact.public_id]
    nearby = client.get(
        "/api/v1/reports/nearby/", {"lat": lat, "lon": lon, "category": "banjir"}
    ).json()
    assert approximate.public_id not in [row["public_id"] for row in nearby]


# ---- description ------------------------------------------------------------------------------


@pytest.mark.parametrize("description", [None, "", "x" * 4000])
def test_description_is_optional_up_to_4000_characters(
    client: Client, key: str, description: str | None
) -> None:
    fields = {"lat": "-6.1754", "long": "106.8272"}
    if description is not None:
        fields["description"] = description
    report = only(post(client, key, **fields))
    assert report.description == (description or "")
    (row,) = json.loads(client.get(f"/open311/v2/requests/{report.public_id}.json").content)
    assert row.get("description", "") == (description or "")


# ---- media_url --------------------------------------------------------------------------------


def test_media_url_is_stored_and_returned(client: Client, key: str) -> None:
    url = "https://cdn.kelurahan.example/foto/123.jpg?size=large"
    report = only(post(client, key, lat="-6.1754", long="106.8272", media_url=url))
    assert ClientSubmission.objects.get(report=report).media_url == url
    (row,) = json.loads(client.get(f"/open311/v2/requests/{report.public_id}.json").content)
    assert row["media_url"] == url
    listed = json.loads(client.get("/open311/v2/requests.json").content)
    assert [r["media_url"] for r in listed] == [url]
    root = xml_root(client.get("/open311/v2/requests.xml").content)
    assert xml_rows(root)[0]["media_url"] == url


def test_media_url_of_a_public_report_with_photos_is_its_own_thumbnail(
    client: Client, key: str
) -> None:
    fields = {
        "api_key": key,
        "service_code": "sampah",
        "lat": "-6.1754",
        "long": "106.8272",
        "media_url": "https://cdn.kelurahan.example/foto/9.jpg",
        "media": jpeg_upload(),
    }
    report = only(client.post("/open311/v2/requests.json", fields))
    (row,) = json.loads(client.get(f"/open311/v2/requests/{report.public_id}.json").content)
    assert row["media_url"] == (
        f"http://testserver/api/v1/reports/{report.public_id}/public-thumbnail"
    )


# ---- repeated query parameters ----------------------------------------------------------------


def test_repeated_query_parameters_are_read_like_the_comma_list(client: Client) -> None:
    flood, rubbish = file_report(), file_report(category="sampah")
    closed = file_report(category="sampah")
    Report.objects.filter(pk=closed.pk).update(status=Report.Status.DITOLAK)

    def ids(query: str) -> list[str]:
        rows = json.loads(client.get(f"/open311/v2/requests.json?{query}").content)
        return [row["service_request_id"] for row in rows]

    everything = [closed.public_id, rubbish.public_id, flood.public_id]
    assert ids("status=open&status=closed") == ids("status=open,closed") == everything
    assert ids("service_code=banjir&service_code=sampah&status=open") == [
        rubbish.public_id,
        flood.public_id,
    ]
    assert ids(f"service_request_id={flood.public_id}&service_request_id={closed.public_id}") == [
        closed.public_id,
        flood.public_id,
    ]
    bad = client.get("/open311/v2/requests.json?status=open&status=lost")
    assert (bad.status_code, json.loads(bad.content)[0]["code"]) == (400, 400)


# ---- URLs built on the discovered endpoint ---------------------------------------------------


@pytest.mark.parametrize(
    ("single", "doubled"),
    [
        ("/open311/v2/services.xml", "/open311/v2//services.xml"),
        ("/open311/v2/services/banjir.json", "/open311//v2//services//banjir.json"),
        ("/open311/discovery.json", "/open311//discovery.json"),
        ("/open311/v2/requests.json", "/open311/v2//requests.json"),
    ],
)
def test_a_doubled_slash_is_answered_like_a_single_one(
    client: Client, single: str, doubled: str
) -> None:
    file_report()
    first, second = client.get(single), client.get(doubled)
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.content == second.content
    assert first["Content-Type"] == second["Content-Type"]
