"""Bad and hostile input never reaches the database as a 500 and always gets the GeoReport v2
error shape (docs/quality.md rows 34-36)."""

import json
from urllib.parse import urlencode

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.open311.models import ClientSubmission
from apps.reports.models import Report
from tests.open311.factories import client_app, xml_root

pytestmark = pytest.mark.django_db


def _post_fields(**fields: str) -> dict[str, str]:
    """A POST requests form for a flood at Monas, with a fresh client application's key."""
    _, key = client_app()
    return {
        "api_key": key,
        "service_code": "banjir",
        "lat": "-6.1754",
        "long": "106.8272",
        **fields,
    }


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/open311/v2/services/%00.json", 404),
        ("/open311/v2/services/a%00b.json", 404),
        ("/open311/v2/requests/LW-%00AAAAA.json", 404),
        ("/open311/v2/requests/%00.json", 404),
        ("/open311/v2/tokens/%00.json", 404),
        ("/open311/v2/requests.json?service_code=%00", 400),
        ("/open311/v2/requests.json?service_request_id=LW-AAAAA%00", 400),
        ("/open311/v2/requests.json?service_request_id=" + ",".join(["LW-AAAAAA"] * 1001), 400),
        ("/open311/v2/requests.json?status=%00", 400),
        ("/open311/v2/requests.json?start_date=%00", 400),
        ("/open311/v2/requests.json?start_date=2025-13-45", 400),
        ("/open311/v2/requests.json?" + "&".join(f"f{i}=1" for i in range(300)), 400),
        ("/open311/", 404),
    ],
)
def test_hostile_paths_and_queries_are_4xx(client: Client, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert [set(error) for error in body] == [{"code", "description"}]
    assert body[0]["code"] == status


@pytest.mark.parametrize(
    "extra",
    [
        {"service_code": "ban\x00jir"},
        {"address_string": "Jl.\x00"},
        {"first_name": "A\x00"},
        {"email": "a\x00@example.id"},
        {"attribute[OCCURRED_AT]": "\x00"},
        {"attribute[PUBLIC]": "\x00"},
        {"attribute[\x00]": "yes"},
        {"lat": "1e400"},
        {"description": "x" * 4001},
    ],
)
def test_hostile_post_fields_are_400_and_store_nothing(
    client: Client, extra: dict[str, str]
) -> None:
    fields = _post_fields(description="Banjir") | extra
    response = client.post("/open311/v2/requests.json", fields)
    assert response.status_code == 400, response.content
    assert json.loads(response.content)[0]["code"] == 400
    assert Report.objects.count() == 0


def test_options_and_malformed_multipart(client: Client) -> None:
    response = client.options("/open311/v2/services.json")
    assert response.status_code == 405
    assert json.loads(response.content)[0]["code"] == 405
    _, key = client_app()
    response = client.post(
        f"/open311/v2/requests.json?api_key={key}",
        data=b"--x\r\nbroken",
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code == 400
    assert json.loads(response.content)[0]["code"] == 400
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/open311/v2/requests.xml", "text/xml"),
        ("/open311/v2/requests.json", "application/json"),
        ("/open311/v2/nothing.xml", "text/xml"),
        ("/open311/v2/nothing", "application/json"),
    ],
)
def test_a_body_over_the_global_limit_is_a_413_in_the_open311_shape(
    client: Client, settings: SettingsWrapper, path: str, content_type: str
) -> None:
    settings.REQUEST_MAX_BODY_BYTES = 256
    fields = _post_fields(description="")
    body = urlencode(fields).encode()
    body = urlencode({**fields, "description": "x" * (257 - len(body))}).encode()
    assert len(body) == settings.REQUEST_MAX_BODY_BYTES + 1
    response = client.post(
        path, body, content_type="application/x-www-form-urlencoded", HTTP_ACCEPT="text/html"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == content_type
    if content_type == "text/xml":
        root = xml_root(response.content)
        assert root.tag == "errors"
        assert [(e.findtext("code"), e.findtext("description")) for e in root] == [
            ("413", "The request body is too large.")
        ]
    else:
        assert json.loads(response.content) == [
            {"code": 413, "description": "The request body is too large."}
        ]
    assert b"request_too_large" not in response.content
    assert Report.objects.count() == 0
    assert ClientSubmission.objects.count() == 0
    # One byte less passes the limit and files the report.
    response = client.post(
        "/open311/v2/requests.json", body[:-1], content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200, response.content
    assert Report.objects.count() == 1
