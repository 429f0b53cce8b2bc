"""NUL bytes and lone surrogates in every identity text field: 400 with a field error."""

import json

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.core.messaging import MemorySmsBackend
from apps.identity.models import OtpChallenge, Reporter, ReporterIdentity
from tests.identity.factories import PHONE, citizen, client_for, last_code

pytestmark = pytest.mark.django_db

BAD_TEXT = {"nul": "\\u0000", "surrogate": "\\ud800", "low surrogate": "\\udfff"}


def _raw_json(body: dict[str, str], field: str, escape: str) -> str:
    return json.dumps({**body, field: "MARK"}).replace('"MARK"', f'"a{escape}b"')


@pytest.mark.parametrize("escape", BAD_TEXT.values(), ids=BAD_TEXT.keys())
def test_otp_request_phone(api_client: APIClient, escape: str) -> None:
    response = api_client.post(
        "/api/v1/auth/otp/request/",
        _raw_json({}, "phone", escape),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["phone"]
    assert (OtpChallenge.objects.count(), MemorySmsBackend.outbox) == (0, [])


@pytest.mark.parametrize("escape", BAD_TEXT.values(), ids=BAD_TEXT.keys())
@pytest.mark.parametrize("field", ["phone", "code", "name", "email"])
def test_otp_verify_fields_and_the_code_stays_usable(
    api_client: APIClient, field: str, escape: str
) -> None:
    assert (
        api_client.post("/api/v1/auth/otp/request/", {"phone": PHONE}, format="json").status_code
        == 202
    )
    code = last_code()
    body = {"phone": PHONE, "code": code, "name": "Siti", "email": "siti@example.id"}
    response = api_client.post(
        "/api/v1/auth/otp/verify/", _raw_json(body, field, escape), content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], list(error["fields"])) == ("invalid", [field])
    assert (User.objects.count(), Reporter.objects.count()) == (0, 0)
    challenge = OtpChallenge.objects.get()
    assert (challenge.attempts, challenge.consumed_at) == (0, None)
    # nothing was consumed: the same code still signs in
    retry = api_client.post("/api/v1/auth/otp/verify/", body, format="json")
    assert retry.status_code == 200


@pytest.mark.parametrize("escape", BAD_TEXT.values(), ids=BAD_TEXT.keys())
@pytest.mark.parametrize("field", ["name", "email", "nik"])
def test_me_patch_fields_change_nothing(field: str, escape: str) -> None:
    reporter = citizen(nik="3171012345678901")
    client = client_for(reporter.user)
    before = ReporterIdentity.objects.values().get(reporter=reporter)
    response = client.patch(
        "/api/v1/me/", _raw_json({}, field, escape), content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], list(error["fields"])) == ("invalid", [field])
    assert ReporterIdentity.objects.values().get(reporter=reporter) == before
    me = client.get("/api/v1/me/").json()
    assert (me["name"], me["email"], me["nik"]) == (
        "Siti Rahayu",
        "siti@example.id",
        "3171012345678901",
    )
