"""Anonymous filing (docs/security.md, rows 7 and 8).

7. An anonymous report's ``client_request_id`` and body replayed by another account, by
   nobody, or from another device is a 409 that reveals nothing; only the device that filed
   it (its ``X-Device-Id``) gets the 200 replay.
8. Anonymous filing is limited per client address and per device: 429 with Retry-After.
"""

import socket
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from apps.reports.models import Report
from tests.identity.factories import client_for
from tests.reports.factories import citizen, report_body
from tests.reports.test_concurrency import run_together

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/"
PHONE_A = "device-a-7f3c9e21"
PHONE_B = "device-b-0d4e8a55"


def _post(client: APIClient, body: dict[str, Any], device: str | None = None) -> Any:
    headers = {"HTTP_X_DEVICE_ID": device} if device else {}
    return client.post(URL, body, format="json", **headers)


def test_only_the_filing_device_gets_the_replay_of_an_anonymous_report() -> None:
    body = report_body(anonymous=True, description="Pungli di loket kelurahan, saya takut.")
    owner = client_for(citizen().user)
    filed = _post(owner, body, device=PHONE_A)
    assert filed.status_code == 201
    ticket = filed.json()["id"]

    attempts = {
        "another account": _post(client_for(citizen().user), body),
        "another account, another device": _post(client_for(citizen().user), body, PHONE_B),
        "nobody": _post(APIClient(), body),
        "nobody, another device": _post(APIClient(), body, PHONE_B),
        "the owner's account without the device": _post(owner, body),
    }
    replayed = _post(APIClient(), body, device=PHONE_A)

    for who, response in attempts.items():
        assert response.status_code == 409, who
        assert response.json()["error"]["code"] == "idempotency_conflict", who
        text = response.content.decode()
        assert ticket not in text, who
        assert "Pungli" not in text, who
    assert replayed.status_code == 200
    assert replayed.json()["id"] == ticket
    assert "tracking_code" not in replayed.json() or not replayed.json()["tracking_code"]
    assert Report.objects.count() == 1


def test_an_anonymous_report_without_a_device_is_never_replayed() -> None:
    body = report_body()
    assert _post(APIClient(), body).status_code == 201
    again = _post(APIClient(), body)
    assert again.status_code == 409
    assert Report.objects.count() == 1


def test_a_malformed_device_id_is_a_400() -> None:
    response = _post(APIClient(), report_body(), device="x")
    assert response.status_code == 400
    assert "X-Device-Id" in response.json()["error"]["fields"]
    assert Report.objects.count() == 0


def test_anonymous_filing_is_limited_per_device(settings: Any) -> None:
    settings.REPORT_ANON_RATE_PER_DEVICE = "3/hour"
    for index in range(3):
        client = APIClient(REMOTE_ADDR=f"10.1.0.{index + 1}")  # a phone moving between networks
        assert _post(client, report_body(), device=PHONE_A).status_code == 201
    refused = _post(APIClient(REMOTE_ADDR="10.1.0.9"), report_body(), device=PHONE_A)
    other_phone = _post(APIClient(REMOTE_ADDR="10.1.0.9"), report_body(), device=PHONE_B)
    signed_in = _post(client_for(citizen().user), report_body(), device=PHONE_A)

    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert other_phone.status_code == 201
    assert signed_in.status_code == 201  # the limits are for anonymous filing only
    assert Report.objects.count() == 5


def test_anonymous_filing_is_limited_per_address(settings: Any) -> None:
    settings.REPORT_ANON_RATE_PER_ADDRESS = "4/hour"
    kampung = APIClient(REMOTE_ADDR="10.2.0.1")
    for index in range(4):
        assert _post(kampung, report_body(), device=f"phone-{index:04d}").status_code == 201
    refused = _post(kampung, report_body(), device="phone-0099")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert _post(APIClient(REMOTE_ADDR="10.2.0.2"), report_body()).status_code == 201
    assert Report.objects.count() == 5


def test_the_defaults_are_generous_enough_for_a_shared_phone() -> None:
    phone = APIClient(REMOTE_ADDR="10.3.0.1")
    for _ in range(20):
        assert _post(phone, report_body(), device=PHONE_A).status_code == 201
    assert _post(phone, report_body(), device=PHONE_A).status_code == 429


def test_the_window_slides_and_retry_after_is_when_a_place_frees(settings: Any) -> None:
    settings.REPORT_ANON_RATE_PER_ADDRESS = "2/minute"
    phone = APIClient(REMOTE_ADDR="10.4.0.1")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert _post(phone, report_body()).status_code == 201
        clock.shift(timedelta(seconds=20))
        assert _post(phone, report_body()).status_code == 201
        clock.shift(timedelta(seconds=10))
        refused = _post(phone, report_body())
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) == 30  # the first filing leaves the window at 60 s
        clock.shift(timedelta(seconds=31))
        assert _post(phone, report_body()).status_code == 201  # one place, the first's
        assert _post(phone, report_body()).status_code == 429  # the second's frees at 80 s
    assert Report.objects.count() == 3


def test_a_refused_filing_uses_no_place_under_any_limit(settings: Any) -> None:
    settings.REPORT_ANON_RATE_PER_ADDRESS = "2/hour"
    settings.REPORT_ANON_RATE_PER_DEVICE = "1/hour"
    cafe = APIClient(REMOTE_ADDR="10.5.0.1")
    assert _post(cafe, report_body(), device=PHONE_A).status_code == 201
    assert _post(cafe, report_body(), device=PHONE_A).status_code == 429  # the device's limit
    assert _post(cafe, report_body(), device=PHONE_B).status_code == 201  # the address's 2nd
    assert _post(cafe, report_body(), device="device-c-99aa77bb").status_code == 429
    assert Report.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_filings_never_take_more_places_than_the_limit(settings: Any) -> None:
    settings.REPORT_ANON_RATE_PER_ADDRESS = "3/hour"

    def post(index: int) -> int:
        client = APIClient(REMOTE_ADDR="10.6.0.1")
        return int(_post(client, report_body(), device=f"phone-{index:04d}").status_code)

    statuses = Counter(run_together(12, post))
    assert statuses == {201: 3, 429: 9}
    assert Report.objects.count() == 3


def test_anonymous_filing_goes_on_without_the_limits_when_redis_is_unreachable(
    settings: Any,
) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    unreachable = dict(settings.CACHES["default"])
    unreachable["LOCATION"] = f"redis://127.0.0.1:{port}/0"
    settings.CACHES = {"default": unreachable}
    settings.REPORT_ANON_RATE_PER_ADDRESS = "1/hour"
    phone = APIClient(REMOTE_ADDR="10.7.0.1")
    for _ in range(3):
        assert _post(phone, report_body(), device=PHONE_A).status_code == 201
    assert Report.objects.count() == 3
