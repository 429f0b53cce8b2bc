"""The development SMS backend: one JSON line per message in var/log/sms.log."""

import json
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_the_file_backend_appends_one_json_line_the_app_can_sign_in_with(
    api_client: APIClient, settings: Any, tmp_path: Path
) -> None:
    settings.SMS_BACKEND = "apps.core.messaging.FileSmsBackend"
    settings.VAR_DIR = tmp_path
    for notation in ("0812 3456 789", "+62-812-3456-789"):
        response = api_client.post("/api/v1/auth/otp/request/", {"phone": notation}, format="json")
        assert response.status_code == 202

    lines = (tmp_path / "log" / "sms.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    messages = [json.loads(line) for line in lines]
    for message in messages:
        assert set(message) == {"to", "body", "code"}
        assert message["to"] == "+628123456789"
        assert len(message["code"]) == 6
        assert message["code"].isdigit()
        assert message["code"] in message["body"]

    verified = api_client.post(
        "/api/v1/auth/otp/verify/",
        {"phone": "628123456789", "code": messages[-1]["code"]},
        format="json",
    )
    assert verified.status_code == 200
    assert verified.json()["reporter"]["pseudonym"].startswith("Warga-")
