import json
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from apps.identity import vault
from apps.identity.models import Reporter
from apps.open311.models import ClientApp, ClientSubmission
from apps.reports.models import Report, ReportPhoto
from tests.open311.factories import client_app, jpeg_upload, xml_root

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
MONAS = {"lat": "-6.1754", "long": "106.8272"}


def post_form(client: Client, path: str, fields: dict[str, str]) -> object:
    """What a GeoReport v2 client sends: a form-encoded body."""
    return client.post(path, data=urlencode(fields), content_type=FORM)


@pytest.fixture
def key(db: None) -> str:
    return client_app()[1]


def test_post_request_form_encoded_creates_an_open311_report(client: Client, key: str) -> None:
    fields = {
        "api_key": key,
        "jurisdiction_id": "jakarta.go.id",
        "service_code": "banjir",
        **MONAS,
        "address_string": "Jl. Medan Merdeka Barat, depan halte",
        "description": "Genangan 30 cm menutup jalur sepeda",
        "attribute[PUBLIC]": "no",
    }
    fields["attribute[OCCURRED_AT]"] = timezone.now().replace(microsecond=0).isoformat()
    response = post_form(client, "/open311/v2/requests.json", fields)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    report = Report.objects.select_related("agency", "category", "area").get()
    assert body == [
        {
            "service_request_id": report.public_id,
            "service_notice": (
                f"{report.agency.name}; target: "
                f"{report.provisional_due_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
            ),
        }
    ]
    assert report.channel == Report.Channel.OPEN311
    assert report.category.code == "banjir"
    assert report.area.code == "31.71.01.1001"
    assert (report.location.x, report.location.y) == (106.8272, -6.1754)
    assert report.address_hint == "Jl. Medan Merdeka Barat, depan halte"
    assert report.description == "Genangan 30 cm menutup jalur sepeda"
    assert report.is_public is False
    assert report.occurred_at == datetime.fromisoformat(fields["attribute[OCCURRED_AT]"])
    assert report.is_anonymous is True
    submission = ClientSubmission.objects.get()
    assert (submission.report_id, submission.client.name) == (report.pk, "Aplikasi Kota")


def test_post_request_xml_response(client: Client, key: str) -> None:
    fields = {"api_key": key, "service_code": "sampah", **MONAS, "description": "Sampah menumpuk"}
    response = post_form(client, "/open311/v2/requests.xml", fields)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    root = xml_root(response.content)
    report = Report.objects.get()
    assert root.tag == "service_requests"
    assert [child.tag for child in root] == ["request"]
    assert root.findtext("./request/service_request_id") == report.public_id
    assert root.find("./request/token") is None  # the id, never both (GeoReport v2)
    assert report.is_public is True


def test_contact_fields_are_sealed_in_the_vault_and_the_phone_is_not_stored(
    client: Client, key: str
) -> None:
    fields = {
        "api_key": key,
        "service_code": "banjir",
        **MONAS,
        "description": "Banjir",
        "first_name": "Siti",
        "last_name": "Rahayu",
        "email": "Siti.Rahayu@Example.ID",
        "phone": "0812 3456 7890",
        "device_id": "device-1",
        "account_id": "acct-1",
    }
    response = post_form(client, "/open311/v2/requests.json", fields)
    assert response.status_code == 200
    report = Report.objects.select_related("reporter").get()
    assert report.is_anonymous is False
    assert report.reporter.user_id is None
    assert vault.reveal(reporter=report.reporter, fields=["name", "email", "phone"]) == {
        "name": "Siti Rahayu",
        "email": "siti.rahayu@example.id",
        "phone": None,
    }


def test_invalid_email_is_refused_and_nothing_is_stored(client: Client, key: str) -> None:
    fields = {"api_key": key, "service_code": "banjir", **MONAS, "description": "x"}
    fields["email"] = "bukan-email"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = post_form(client, "/open311/v2/requests.json", fields)
    assert response.status_code == 400
    assert json.loads(response.content) == [
        {"code": 400, "description": "invalid: Invalid input. email: Enter a valid e-mail address."}
    ]
    assert (Report.objects.count(), Reporter.objects.count()) == (0, 0)


@pytest.mark.parametrize("api_key", ["", "lw311_wrong", "x" * 500])
def test_bad_api_key_is_a_403_and_stores_nothing(client: Client, key: str, api_key: str) -> None:
    fields = {"service_code": "banjir", **MONAS, "description": "Banjir"}
    if api_key:
        fields["api_key"] = api_key
    for fmt in ("json", "xml"):
        response = post_form(client, f"/open311/v2/requests.{fmt}", fields)
        assert response.status_code == 403
        assert response["Content-Type"] == ("application/json" if fmt == "json" else "text/xml")
    assert json.loads(post_form(client, "/open311/v2/requests.json", fields).content) == [
        {"code": 403, "description": "api_key is missing or invalid."}
    ]
    assert Report.objects.count() == 0


def test_inactive_client_app_is_refused(client: Client, key: str) -> None:
    ClientApp.objects.update(is_active=False)
    fields = {"api_key": key, "service_code": "banjir", **MONAS, "description": "Banjir"}
    assert post_form(client, "/open311/v2/requests.json", fields).status_code == 403
    assert Report.objects.count() == 0


def test_only_a_hash_of_the_key_is_stored(key: str) -> None:
    client = ClientApp.objects.get()
    assert key.startswith("lw311_")
    assert len(key) > 40
    assert key not in (client.key_hash, client.key_prefix, client.name)
    assert key.startswith(client.key_prefix)
    assert len(client.key_hash) == 64


def test_unknown_service_code_is_a_404(client: Client, key: str) -> None:
    fields = {"api_key": key, "service_code": "tidak_ada", **MONAS, "description": "x"}
    response = post_form(client, "/open311/v2/requests.xml", fields)
    assert response.status_code == 404
    root = xml_root(response.content)
    assert [(e.findtext("code"), e.findtext("description")) for e in root] == [
        ("404", "service_code 'tidak_ada' not found.")
    ]
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "lat/long: A location is required: lat and long (WGS84), address_string or "),
        ({"lat": "-6.1754"}, "lat/long: Send both lat and long (WGS84 decimal degrees), or"),
        ({"address_string": "   "}, "lat/long: A location is required"),
    ],
)
def test_a_location_or_an_address_is_required(
    client: Client, key: str, fields: dict[str, str], message: str
) -> None:
    body = {"api_key": key, "service_code": "banjir", "description": "Banjir", **fields}
    response = post_form(client, "/open311/v2/requests.json", body)
    assert response.status_code == 400
    (error,) = json.loads(response.content)
    assert (error["code"], error["description"].startswith(message)) == (400, True)
    assert (Report.objects.count(), Reporter.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("extra", "description"),
    [
        ({"attribute[WARNA]": "merah"}, "Unknown attribute 'WARNA'; this service has: "),
        ({"attribute[PUBLIC]": "mungkin"}, "attribute[PUBLIC] must be yes or no."),
        ({"attribute[OCCURRED_AT]": "kemarin"}, "attribute[OCCURRED_AT] must be an ISO 8601"),
        ({"attribute[OCCURRED_AT]": "2025-01-01T10:00:00"}, "attribute[OCCURRED_AT] must be"),
        ({"lat": "NaN"}, "lat: A valid number is required."),
        ({"long": "inf"}, "long: A valid number is required."),
        ({"lat": "91"}, "lat: Ensure this value is less than or equal to 90."),
        ({"long": "106.9", "lat": "-7.5"}, "outside_service_area:"),
        ({"description": "x" * 4001}, "description: Ensure this field has no more than 4000"),
        ({"media_url": "ftp://example.id/a.jpg"}, "media_url: Enter a valid URL."),
        ({"media_url": "foto.jpg"}, "media_url: Enter a valid URL."),
        ({"media_url": "https://example.id/" + "a" * 2000}, "media_url: Ensure this field has"),
        ({"description": "a\x00b"}, "description: Null characters are not allowed."),
    ],
)
def test_bad_input_is_a_400_and_stores_nothing(
    client: Client, key: str, extra: dict[str, str], description: str
) -> None:
    fields = {"api_key": key, "service_code": "banjir", **MONAS, "description": "Banjir"}
    fields.update(extra)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = post_form(client, "/open311/v2/requests.json", fields)
    assert response.status_code == 400, response.content
    body = json.loads(response.content)
    assert len(body) == 1
    assert body[0]["code"] == 400
    assert body[0]["description"].startswith(description)
    assert (Report.objects.count(), Reporter.objects.count()) == (0, 0)


def test_multipart_post_with_a_photo_gives_a_public_media_url(client: Client, key: str) -> None:
    fields = {"api_key": key, "service_code": "sampah", **MONAS, "description": "Sampah"}
    response = client.post("/open311/v2/requests.json", {**fields, "media": jpeg_upload()})
    assert response.status_code == 200, response.content
    report = Report.objects.get()
    assert ReportPhoto.objects.filter(report=report).count() == 1
    listed = json.loads(client.get(f"/open311/v2/requests/{report.public_id}.json").content)
    assert listed[0]["media_url"] == (
        f"http://testserver/api/v1/reports/{report.public_id}/public-thumbnail"
    )
    thumb = client.get(f"/api/v1/reports/{report.public_id}/public-thumbnail")
    assert thumb.status_code == 200
    assert thumb["Content-Type"] == "image/jpeg"


def test_two_photos_are_refused(client: Client, key: str) -> None:
    fields = {"api_key": key, "service_code": "sampah", **MONAS, "description": "Sampah"}
    response = client.post(
        "/open311/v2/requests.json",
        {**fields, "media": [jpeg_upload(), jpeg_upload(name="b.jpg")]},
    )
    assert response.status_code == 400
    assert Report.objects.count() == 0


def test_json_body_is_refused_in_the_open311_shape(client: Client, key: str) -> None:
    response = client.post(
        "/open311/v2/requests.json",
        data=json.dumps({"api_key": key, "service_code": "banjir"}),
        content_type="application/json",
    )
    assert response.status_code == 415
    assert json.loads(response.content)[0]["code"] == 415
    assert Report.objects.count() == 0


@pytest.mark.parametrize("field", ["description", "address_string", "first_name", "email"])
def test_bytes_that_are_not_utf8_are_a_400_and_store_nothing(
    client: Client, key: str, field: str
) -> None:
    fields = {"api_key": key, "service_code": "banjir", **MONAS, "description": "Banjir"}
    fields.pop(field, None)
    body = urlencode(fields) + f"&{field}=a%ED%A0%80b"  # a lone surrogate as UTF-8-like bytes
    response = client.post("/open311/v2/requests.json", data=body, content_type=FORM)
    assert response.status_code == 400, response.content
    assert json.loads(response.content) == [
        {"code": 400, "description": f"{field}: Not valid UTF-8 text."}
    ]
    assert (Report.objects.count(), Reporter.objects.count()) == (0, 0)
