import io
import json
import re
from urllib.parse import urlencode

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from apps.open311.models import ClientApp
from apps.reports.models import Report

pytestmark = pytest.mark.django_db


def test_create_open311_client_prints_a_working_key_once_and_stores_its_hash(
    client: Client,
) -> None:
    out = io.StringIO()
    call_command("create_open311_client", "Aplikasi RT 05", stdout=out)
    match = re.search(r"^api_key: (lw311_\S+)$", out.getvalue(), re.MULTILINE)
    assert match is not None
    key = match.group(1)
    app = ClientApp.objects.get()
    assert (app.name, app.is_active) == ("Aplikasi RT 05", True)
    assert key not in {app.key_hash, app.key_prefix}
    response = client.post(
        "/open311/v2/requests.json",
        data=urlencode(
            {
                "api_key": key,
                "service_code": "banjir",
                "lat": "-6.1754",
                "long": "106.8272",
                "description": "Banjir",
            }
        ),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert json.loads(response.content)[0]["service_request_id"] == Report.objects.get().public_id


def test_create_open311_client_refuses_a_duplicate_name() -> None:
    call_command("create_open311_client", "Aplikasi", stdout=io.StringIO())
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_open311_client", "Aplikasi", stdout=io.StringIO())
    assert ClientApp.objects.count() == 1
