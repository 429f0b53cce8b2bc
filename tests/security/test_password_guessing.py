"""Password guessing (docs/security.md, row 6): django-axes on every password sign-in, the
admin login and the staff token endpoint. After AXES_FAILURE_LIMIT wrong passwords the
account (and the address) is locked, even for the right password, with a clear message; an
administrator unlocks it with a management command."""

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from tests.triage.triage_helpers import officer

pytestmark = pytest.mark.django_db

RIGHT = "pw-for-tests"  # tests.factories.UserFactory


def _admin_login(username: str, password: str, address: str = "10.0.0.1") -> Any:
    return Client(REMOTE_ADDR=address).post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}
    )


def _token(username: str, password: str, address: str = "10.0.0.2") -> Any:
    return APIClient(REMOTE_ADDR=address).post(
        "/api/v1/staff/auth/token/", {"username": username, "password": password}, format="json"
    )


def test_the_admin_login_locks_after_five_wrong_passwords_and_an_admin_unlocks(
    settings: Any,
) -> None:
    staff = officer()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _admin_login(staff.username, "wrong").status_code == 200  # the form again
    assert _admin_login(staff.username, "wrong").status_code == 429  # the fifth locks
    locked = _admin_login(staff.username, RIGHT)
    from_elsewhere = _admin_login(staff.username, RIGHT, address="10.9.9.9")

    assert locked.status_code == 429
    assert "Terlalu banyak percobaan masuk yang gagal" in locked.content.decode()
    assert from_elsewhere.status_code == 429  # per account, not only per address
    assert "_auth_user_id" not in locked.wsgi_request.session

    call_command("axes_reset_username", staff.username)
    unlocked = _admin_login(staff.username, RIGHT, address="10.9.9.9")
    assert unlocked.status_code == 302
    assert unlocked["Location"] == "/admin/"


def test_the_staff_token_locks_per_account_with_a_429_and_retry_after(settings: Any) -> None:
    staff = officer()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = _token(staff.username, "wrong")
        assert wrong.status_code == 400
        assert wrong.json()["error"]["code"] == "invalid_credentials"
    assert _token(staff.username, "wrong").status_code == 429
    locked = _token(staff.username, RIGHT, address="10.7.7.7")

    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "sign_in_locked"
    assert int(locked["Retry-After"]) == int(settings.AXES_COOLOFF_TIME.total_seconds())
    assert "token" not in locked.json()
    # the admin login shares the lock: one account, one count
    assert _admin_login(staff.username, RIGHT).status_code == 429

    call_command("axes_reset_username", staff.username)
    assert _token(staff.username, RIGHT).status_code == 200


def test_one_address_guessing_many_accounts_is_locked_per_address(settings: Any) -> None:
    for index in range(settings.AXES_FAILURE_LIMIT):
        _admin_login(f"guess{index}", "wrong", address="10.5.5.5")
    staff = officer()
    assert _admin_login(staff.username, RIGHT, address="10.5.5.5").status_code == 429
    assert _admin_login(staff.username, RIGHT, address="10.5.5.6").status_code == 302
    call_command("axes_reset_ip", "10.5.5.5")
    assert not AccessAttempt.objects.filter(ip_address="10.5.5.5").exists()
