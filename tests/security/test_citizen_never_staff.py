"""A citizen account never becomes staff (docs/security.md, row 2).

The outside attack: a superuser sets a password and ``is_staff`` on a citizen account in
the admin, gets a staff token for it and reads ``GET /api/v1/me/``: the decrypted profile,
with no access event. The database, the admin forms, the password backends and the DPO-only
access log each stop a part of it.
"""

import pytest
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.admin import StaffPasswordChangeForm, StaffUserChangeForm
from apps.accounts.backends import StaffPasswordBackend
from apps.accounts.models import User
from apps.accounts.roles import OrgRole
from apps.accounts.services import user_grant_org_role
from tests.factories import StaffFactory, UserFactory
from tests.identity.factories import sign_in

pytestmark = pytest.mark.django_db

PHONE = "0812 5550 1234"


@pytest.fixture
def citizen_user() -> User:
    sign_in(APIClient(), PHONE, name="Siti Rahayu")
    return User.objects.get(is_citizen=True)


def test_a_citizen_signed_up_by_sms_is_marked_and_has_no_usable_password(
    citizen_user: User,
) -> None:
    assert citizen_user.is_citizen
    assert not citizen_user.has_usable_password()
    assert not citizen_user.is_staff
    assert not citizen_user.is_superuser


@pytest.mark.parametrize(
    "change",
    [
        {"is_staff": True},
        {"is_superuser": True},
        {"password": make_password("a-password-123")},
    ],
)
def test_the_database_refuses_to_make_a_citizen_staff(citizen_user: User, change: dict) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=citizen_user.pk).update(**change)
    citizen_user.refresh_from_db()
    assert not citizen_user.is_staff
    assert not citizen_user.is_superuser
    assert not citizen_user.has_usable_password()


def test_the_admin_forms_refuse_it(citizen_user: User) -> None:
    form = StaffUserChangeForm(
        instance=citizen_user,
        data={
            "username": citizen_user.username,
            "is_staff": "on",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert not form.is_valid()
    assert "citizen_never_staff" in form.errors.as_json()
    password = StaffPasswordChangeForm(
        citizen_user, data={"password1": "Xy7-long-pass!", "password2": "Xy7-long-pass!"}
    )
    assert not password.is_valid()
    citizen_user.refresh_from_db()
    assert not citizen_user.is_staff
    assert not citizen_user.has_usable_password()


def test_the_user_admin_does_not_list_or_open_citizen_accounts(citizen_user: User) -> None:
    browser = Client()
    browser.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = browser.get("/admin/accounts/user/")
    assert listing.status_code == 200
    assert citizen_user.username not in listing.content.decode()
    change = browser.get(f"/admin/accounts/user/{citizen_user.pk}/change/")
    assert change.status_code == 302  # "does not exist": back to the index
    posted = browser.post(
        f"/admin/accounts/user/{citizen_user.pk}/password/",
        {"password1": "Xy7-long-pass!", "password2": "Xy7-long-pass!"},
    )
    assert posted.status_code == 404
    citizen_user.refresh_from_db()
    assert not citizen_user.has_usable_password()


def test_password_sign_in_refuses_a_citizen_account(citizen_user: User) -> None:
    """A citizen account cannot hold a password (above); the backend behind the admin login
    and the staff token endpoint refuses citizens on top of that."""
    assert not StaffPasswordBackend().user_can_authenticate(citizen_user)
    assert StaffPasswordBackend().user_can_authenticate(StaffFactory())
    token = APIClient().post(
        "/api/v1/staff/auth/token/",
        {"username": citizen_user.username, "password": "!"},
        format="json",
    )
    assert token.status_code == 400
    assert token.json()["error"]["code"] == "invalid_credentials"
    login = Client().post("/admin/login/", {"username": citizen_user.username, "password": "!"})
    assert login.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in login.wsgi_request.session


def test_only_the_dpo_reads_the_access_log(citizen_user: User) -> None:
    superuser = UserFactory(is_staff=True, is_superuser=True)
    dpo = StaffFactory()
    user_grant_org_role(user=dpo, role=OrgRole.DPO)
    for user, expected in [(superuser, 403), (dpo, 200)]:
        browser = Client()
        browser.force_login(user)
        assert browser.get("/admin/identity/identityaccessevent/").status_code == expected
        assert browser.get("/admin/identity/revealrequest/").status_code == expected
