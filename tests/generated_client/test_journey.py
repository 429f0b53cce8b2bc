"""The citizen API through a client generated from /api/schema/ (docs/api.md, "Generated
clients"). ``scripts/client_check.sh`` generates the package with openapi-python-client and
runs this file with ``LW_GENERATED_CLIENT`` pointing at it; without it (the plain pytest run)
the tests are skipped, since the package is not there to import."""

import importlib
import io
import json
import os
import pkgutil
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

GENERATED = os.environ.get("LW_GENERATED_CLIENT", "")
pytestmark = [
    pytest.mark.skipif(not GENERATED, reason="run by scripts/client_check.sh (make test)"),
    pytest.mark.django_db(transaction=True),
]
PACKAGE = "lapor_warga_client"


@pytest.fixture(scope="module")
def lw() -> Any:
    sys.path.insert(0, GENERATED)
    try:
        return importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(GENERATED)


def test_every_generated_module_imports(lw: Any) -> None:
    sys.path.insert(0, GENERATED)
    try:
        names = [
            info.name
            for info in pkgutil.walk_packages(lw.__path__, prefix=f"{PACKAGE}.")
            if not info.ispkg
        ]
        for name in names:
            importlib.import_module(name)
    finally:
        sys.path.remove(GENERATED)
    assert f"{PACKAGE}.api.reports.reports_create" in names
    assert len(names) > 100


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def test_sign_in_file_list_and_follow_through_the_generated_client(
    lw: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    from lapor_warga_client.api.auth import auth_otp_request, auth_otp_verify
    from lapor_warga_client.api.me import me_reports_list
    from lapor_warga_client.api.reports import reports_create, reports_timeline
    from lapor_warga_client.models import (
        OtpRequestInputRequest,
        OtpVerifyInputRequest,
        OtpVerifyOutput,
        ReportCreateInputRequest,
        ReportCreateMultipartInputRequest,
        ReportCreateOutput,
        ReportPageOutput,
    )
    from lapor_warga_client.types import File

    # Sign in: the development SMS backend writes the code to var/log/sms.log (here tmp_path).
    settings.SMS_BACKEND = "apps.core.messaging.FileSmsBackend"
    settings.VAR_DIR = tmp_path
    anonymous = lw.Client(base_url=live_server.url)
    phone = "+628123450001"
    sent = auth_otp_request.sync_detailed(
        client=anonymous, body=OtpRequestInputRequest(phone=phone)
    )
    assert sent.status_code == 202
    (line,) = (tmp_path / "log" / "sms.log").read_text(encoding="utf-8").splitlines()
    code = json.loads(line)["code"]
    signed_in = auth_otp_verify.sync(
        client=anonymous, body=OtpVerifyInputRequest(phone=phone, code=code)
    )
    assert isinstance(signed_in, OtpVerifyOutput)
    me = lw.AuthenticatedClient(base_url=live_server.url, token=signed_in.token, prefix="Token")

    # File a report as JSON (no photo), then as multipart with a photo.
    plain = reports_create.sync_detailed(
        client=me,
        body=ReportCreateInputRequest(
            client_request_id=uuid.uuid4(),
            category="banjir",
            description="Genangan setinggi lutut di depan halte",
            lat=-6.1754,
            lon=106.8272,
        ),
    )
    assert plain.status_code == 201, plain.content
    assert isinstance(plain.parsed, ReportCreateOutput)
    with_photo = reports_create.sync_detailed(
        client=me,
        body=ReportCreateMultipartInputRequest(
            client_request_id=uuid.uuid4(),
            category="sampah",
            description="Sampah menumpuk",
            lat=-6.2366,
            lon=106.8543,
            photos=[
                File(payload=io.BytesIO(_jpeg()), file_name="foto.jpg", mime_type="image/jpeg")
            ],
        ),
    )
    assert with_photo.status_code == 201, with_photo.content
    assert isinstance(with_photo.parsed, ReportCreateOutput)
    assert len(with_photo.parsed.photos) == 1
    assert plain.parsed.photos == []

    # List mine (newest first) and read the timeline.
    mine = me_reports_list.sync(client=me)
    assert isinstance(mine, ReportPageOutput)
    assert [r.id for r in mine.results] == [with_photo.parsed.id, plain.parsed.id]
    timeline = reports_timeline.sync(plain.parsed.id, client=me)
    assert isinstance(timeline, list)
    assert [event.kind.value for event in timeline] == ["created"]
