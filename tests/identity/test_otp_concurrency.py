"""Concurrent verifications on separate connections: one code signs in once, and a
superseded code never, whatever the interleaving (the newest challenge is locked FOR UPDATE).
"""

import threading

import pytest
from django.db import connections
from knox.models import AuthToken

from apps.identity import services
from apps.identity.errors import OtpInvalid
from apps.identity.models import OtpChallenge, Reporter
from tests.identity.factories import PHONE, last_code


@pytest.mark.django_db(transaction=True)
def test_concurrent_verifications_sign_in_once_and_never_with_a_superseded_code():
    services.otp_request(phone=PHONE, client_ip="192.0.2.1")
    first = last_code()
    services.otp_request(phone=PHONE, client_ip="192.0.2.1")
    second = last_code()
    if first == second:
        pytest.skip("the two random codes happen to be equal")
    codes = [second, first] * 3
    start = threading.Barrier(len(codes))
    outcomes: list[str] = []
    failures: list[BaseException] = []

    def verify(code: str) -> None:
        try:
            start.wait()
            services.otp_verify(phone=PHONE, code=code)
            outcomes.append(f"signed in with {'newest' if code == second else 'superseded'}")
        except OtpInvalid:
            outcomes.append("otp_invalid")
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=verify, args=(code,)) for code in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert sorted(outcomes) == ["otp_invalid"] * 5 + ["signed in with newest"]
    assert (AuthToken.objects.count(), Reporter.objects.count()) == (1, 1)
    newest = OtpChallenge.objects.order_by("-id").first()
    assert newest is not None
    assert newest.consumed_at is not None
    assert OtpChallenge.objects.filter(consumed_at__isnull=False).count() == 1
