"""Text that is not valid UTF-8 in every staff API input, as form, multipart, query and JSON.

Django decodes form, multipart and query-string values with ``errors="replace"``: bytes that
are not UTF-8 arrive as U+FFFD and are refused with a 400 naming the field, before anything
is stored. JSON bodies are decoded strictly and keep refusing lone surrogates.
"""

import inspect
import json
from typing import Any
from urllib.parse import quote

import pytest
from rest_framework import serializers
from rest_framework.test import APIClient

from apps.core.api.text_input import FormTextInputSerializer
from apps.reports.api import serializers as citizen_serializers
from apps.reports.models import Custody, Report, ReportEvent, ReportPhoto
from apps.triage.api import serializers as staff_serializers
from tests.conftest import MONAS
from tests.reports.conftest import client_for
from tests.triage.triage_helpers import (
    BINA_MARGA_JAKPUS,
    SDA_JAKSEL,
    after_photo,
    near,
    officer,
    ticket,
)

pytestmark = pytest.mark.django_db

NOT_UTF8 = b"ok\xff\xed\xa0\x80"  # a stray byte, then a lone surrogate's UTF-8-style bytes
BOUNDARY = "XyZbOuNdArY"

# action, body ("{officer}" / "{parent}" are filled in), the text fields to spoil one by one
CASES = [
    ("assign", {"assignee": "{officer}"}, ["assignee"]),
    ("start", {"note": "Menuju lokasi"}, ["note"]),
    ("disposisi", {"to_agency": SDA_JAKSEL, "note": "Wilayah selatan"}, ["to_agency", "note"]),
    ("koordinasi", {"to_agency": BINA_MARGA_JAKPUS, "reason": "Jalan"}, ["to_agency", "reason"]),
    ("return", {"reason_code": "other", "note": "Bukan kami"}, ["note"]),
    ("request-info", {"question": "Di RT berapa?"}, ["question"]),
    ("reject", {"reason_code": "spam", "note": "Iklan"}, ["note"]),
    ("merge", {"parent_id": "{parent}", "note": "Laporan sama"}, ["note"]),
]
SPOILED = [
    pytest.param(action, body, field, id=f"{action}-{field}")
    for action, body, fields in CASES
    for field in fields
]


def _form(body: dict[str, str], field: str) -> bytes:
    return (
        "&".join(
            f"{name}={quote(value)}" if name != field else f"{name}=__BAD__"
            for name, value in body.items()
        )
        .encode()
        .replace(b"__BAD__", b"".join(b"%%%02X" % byte for byte in NOT_UTF8))
    )


def _multipart(body: dict[str, str], field: str, files: dict[str, bytes] | None = None) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + (NOT_UTF8 if name == field else value.encode())
        + b"\r\n"
        for name, value in body.items()
    ]
    for name, content in (files or {}).items():
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{name}.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _state(report: Report) -> tuple[Any, ...]:
    row = Report.objects.values_list("status", "agency_id", "assignee_id", "parent_id").get(
        pk=report.pk
    )
    return (
        row,
        ReportEvent.objects.count(),
        Custody.objects.count(),
        ReportPhoto.objects.count(),
    )


FORM = "application/x-www-form-urlencoded"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
JSON = "application/json"


def _post(client: APIClient, url: str, body: bytes, content_type: str) -> Any:
    return client.generic("POST", url, body, content_type=content_type, HTTP_ACCEPT_LANGUAGE="en")


def _refused(response: Any, field: str) -> None:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert (error["code"], list(error["fields"])) == ("invalid", [field])
    assert error["fields"][field] == ["Not valid UTF-8 text."]


@pytest.mark.parametrize("encoding", ["form", "multipart"])
@pytest.mark.parametrize(("action", "template", "field"), SPOILED)
def test_form_and_multipart_text_that_is_not_utf8_is_refused_and_changes_nothing(
    action: str, template: dict[str, str], field: str, encoding: str
) -> None:
    report, parent = ticket(), ticket()
    user = officer(role="supervisor")
    body = {
        name: value.format(officer=user.username, parent=parent.public_id)
        for name, value in template.items()
    }
    before = _state(report)
    url = f"/api/v1/staff/tickets/{report.public_id}/{action}/"
    client = client_for(user)
    if encoding == "form":
        response = _post(client, url, _form(body, field), FORM)
    else:
        response = _post(client, url, _multipart(body, field), MULTIPART)
    _refused(response, field)
    assert _state(report) == before
    # the same body in valid UTF-8 is accepted: the refusal was about the bytes alone
    assert _post(client, url, _multipart(body, field=""), MULTIPART).status_code == 200


def test_complete_refuses_a_note_that_is_not_utf8_and_stores_no_photo() -> None:
    report = ticket()
    user = officer()
    client = client_for(user)
    assert (
        client.post(
            f"/api/v1/staff/tickets/{report.public_id}/start/", {"note": "Mulai"}, format="json"
        ).status_code
        == 200
    )
    before = _state(report)
    photo = after_photo(gps=near(MONAS, 20)).read()
    url = f"/api/v1/staff/tickets/{report.public_id}/complete/"
    body = {"note": "Beres"}
    _refused(_post(client, url, _multipart(body, "note", {"photo": photo}), MULTIPART), "note")
    assert _state(report) == before
    assert _post(client, url, _multipart(body, "", {"photo": photo}), MULTIPART).status_code == 200


def test_query_parameters_that_are_not_utf8_are_refused() -> None:
    client = client_for(officer())
    response = client.get("/api/v1/staff/tickets/?agency=ok%FF%ED%A0%80", HTTP_ACCEPT_LANGUAGE="en")
    _refused(response, "agency")


def test_sign_in_with_a_username_that_is_not_utf8_is_refused_as_input() -> None:
    response = _post(
        APIClient(),
        "/api/v1/staff/auth/token/",
        _form({"username": "x", "password": "y"}, "username"),
        FORM,
    )
    _refused(response, "username")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param('{"note": "ok\\ud800"}', id="lone-high-surrogate"),
        pytest.param('{"note": "ok\\udfff"}', id="lone-low-surrogate"),
        pytest.param('{"note": "ok\\u0000"}', id="nul"),
    ],
)
def test_json_keeps_refusing_lone_surrogates_and_nul(raw: str) -> None:
    report = ticket()
    before = _state(report)
    client = client_for(officer())
    response = _post(client, f"/api/v1/staff/tickets/{report.public_id}/start/", raw.encode(), JSON)
    assert response.status_code == 400, response.content
    assert (response.json()["error"]["code"], list(response.json()["error"]["fields"])) == (
        "invalid",
        ["note"],
    )
    assert _state(report) == before


def test_json_with_bytes_that_are_not_utf8_is_a_parse_error_and_a_real_fffd_is_text() -> None:
    report = ticket()
    before = _state(report)
    client = client_for(officer())
    url = f"/api/v1/staff/tickets/{report.public_id}/start/"
    response = _post(client, url, b'{"note": "' + NOT_UTF8 + b'"}', JSON)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "parse_error")
    assert _state(report) == before
    # U+FFFD sent as valid UTF-8 in JSON is a character like any other
    response = _post(client, url, json.dumps({"note": "ok \ufffd"}).encode(), JSON)
    assert response.status_code == 200, response.content
    assert ReportEvent.objects.filter(report=report).latest("pk").note == "ok \ufffd"


def test_every_input_serializer_of_the_api_applies_the_rule() -> None:
    def inputs(module: object) -> list[type]:
        return [
            cls
            for name, cls in inspect.getmembers(module, inspect.isclass)
            if name.endswith("InputSerializer")
            and issubclass(cls, serializers.Serializer)
            and cls is not FormTextInputSerializer
            and cls.__module__ == module.__name__  # type: ignore[attr-defined]
        ]

    staff, citizen = inputs(staff_serializers), inputs(citizen_serializers)
    assert (len(staff), len(citizen)) == (13, 6)
    assert all(issubclass(cls, FormTextInputSerializer) for cls in staff + citizen)
