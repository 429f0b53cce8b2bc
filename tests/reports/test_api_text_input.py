"""NUL bytes and lone surrogates in every citizen text field, as JSON and as multipart.

PostgreSQL refuses NUL in text and a lone surrogate cannot be encoded as UTF-8, so each must
be refused with a 400 in the one error shape before anything is stored.
"""

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.core.models import OutboxMessage
from apps.identity.models import Reporter
from apps.reports.models import Report, ReportEvent, ReportSupport
from tests.reports.factories import complete, file_report

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/"
BAD_TEXT = {"nul": "\\u0000", "surrogate": "\\ud800", "low surrogate": "\\udfff"}


def _raw_json(body: dict[str, Any], field: str, escape: str) -> str:
    """``body`` as JSON with ``field`` holding an escape json.dumps would never write."""
    body = {**body, field: "MARK"}
    return json.dumps(body).replace('"MARK"', f'"a{escape}b"')


def _create_body() -> dict[str, Any]:
    return {
        "client_request_id": str(uuid.uuid4()),
        "category": "banjir",
        "description": "Genangan di depan halte.",
        "address_hint": "Dekat halte",
        "lat": -6.1754,
        "lon": 106.8272,
    }


def _counts() -> tuple[int, int, int, int]:
    return (
        Report.objects.count(),
        ReportEvent.objects.count(),
        OutboxMessage.objects.count(),
        ReportSupport.objects.count(),
    )


@pytest.mark.parametrize("escape", BAD_TEXT.values(), ids=BAD_TEXT.keys())
@pytest.mark.parametrize(
    "field", ["client_request_id", "category", "description", "address_hint", "lat", "is_public"]
)
def test_create_json_refuses_nul_and_surrogates_in_every_field(
    reporter_client: APIClient, field: str, escape: str
) -> None:
    response = reporter_client.post(
        URL, _raw_json(_create_body(), field, escape), content_type="application/json"
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    assert _counts() == (0, 0, 0, 0)


MULTIPART_BAD = {"nul": b"a\x00b", "surrogate bytes": b"a\xed\xa0\x80b"}


@pytest.mark.parametrize("raw", MULTIPART_BAD.values(), ids=MULTIPART_BAD.keys())
@pytest.mark.parametrize(
    "field",
    ["client_request_id", "category", "description", "address_hint", "lat", "anonymous"],
)
def test_create_multipart_refuses_nul_and_surrogate_bytes_in_every_field(
    reporter_client: APIClient, field: str, raw: bytes
) -> None:
    boundary = "XyZbOuNdArY"
    parts = []
    for name, value in _create_body().items():
        data = raw if name == field else str(value).encode()
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    if field == "anonymous":
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="anonymous"\r\n\r\n'.encode()
            + raw
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    response = reporter_client.generic(
        "POST", URL, body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    assert _counts() == (0, 0, 0, 0)


@pytest.mark.parametrize("escape", BAD_TEXT.values(), ids=BAD_TEXT.keys())
@pytest.mark.parametrize(
    ("action", "field", "base"),
    [
        ("confirm", "comment", {"rating": 5, "comment": "ok"}),
        ("reopen", "reason", {"reason": "Masih banjir"}),
        ("messages", "body", {"body": "Halo"}),
    ],
)
def test_followup_text_refuses_nul_and_surrogates(
    reporter: Reporter,
    reporter_client: APIClient,
    action: str,
    field: str,
    base: dict[str, Any],
    escape: str,
) -> None:
    report = complete(file_report(reporter=reporter).report)
    before = (_counts(), Report.objects.values_list("status", flat=True).get(pk=report.pk))
    response = reporter_client.post(
        f"{URL}{report.public_id}/{action}/",
        _raw_json(base, field, escape),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    assert (_counts(), Report.objects.values_list("status", flat=True).get(pk=report.pk)) == (
        before
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/track/%00abc/",
        "/api/v1/track/%ED%A0%80/",
        "/api/v1/reports/nearby/?lat=-6.1754&lon=106.8272&category=%ED%A0%80",
        "/api/v1/reports/public/?bbox=106.8%00,-6.2,106.9,-6.1",
        "/api/v1/me/reports/?status=%00",
        "/api/v1/reports/LW-%00AAAAA/",
    ],
)
def test_nul_and_bad_utf8_in_paths_and_queries_are_4xx(
    reporter_client: APIClient, path: str
) -> None:
    response = reporter_client.get(path)
    assert 400 <= response.status_code < 500, response.content
    assert "error" in response.json()


def test_claim_with_nul_in_the_code_is_404_and_changes_nothing(
    reporter_client: APIClient,
) -> None:
    anonymous = file_report(reporter=None)
    response = reporter_client.post("/api/v1/track/%00abc/claim/")
    assert response.status_code == 404
    assert Report.objects.get(pk=anonymous.report.pk).reporter_id == anonymous.report.reporter_id


def test_public_client_sees_the_same_refusal(client: Client) -> None:
    response = client.post(
        URL, _raw_json(_create_body(), "description", "\\u0000"), content_type="application/json"
    )
    assert response.status_code == 400
    assert Report.objects.count() == 0


def test_create_form_encoded_refuses_bytes_that_are_not_utf8(reporter_client: APIClient) -> None:
    body = _create_body()
    encoded = "&".join(f"{name}={value}" for name, value in body.items() if name != "description")
    response = reporter_client.generic(
        "POST",
        URL,
        encoded + "&description=a%ED%A0%80b",
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {"description": ["Not valid UTF-8 text."]}
    assert _counts() == (0, 0, 0, 0)


def test_a_real_replacement_character_in_json_is_kept(reporter_client: APIClient) -> None:
    response = reporter_client.post(
        URL, {**_create_body(), "description": "tanda \ufffd asli"}, format="json"
    )
    assert response.status_code == 201
    assert Report.objects.get().description == "tanda \ufffd asli"


@pytest.mark.parametrize(
    ("action", "field", "form"),
    [
        ("confirm", "comment", "rating=5&comment=ok%FF"),
        ("reopen", "reason", "reason=Masih%ED%A0%80banjir"),
        ("messages", "body", "body=Halo%FF%FE"),
    ],
)
def test_followup_form_bodies_refuse_bytes_that_are_not_utf8(
    reporter: Reporter, reporter_client: APIClient, action: str, field: str, form: str
) -> None:
    report = complete(file_report(reporter=reporter).report)
    before = (_counts(), Report.objects.values_list("status", flat=True).get(pk=report.pk))
    response = reporter_client.generic(
        "POST",
        f"{URL}{report.public_id}/{action}/",
        form,
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {field: ["Not valid UTF-8 text."]}
    assert (_counts(), Report.objects.values_list("status", flat=True).get(pk=report.pk)) == (
        before
    )
