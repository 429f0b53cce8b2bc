"""Helpers for identity tests: citizens made through the real services, keys, tokens."""

import base64
import os
import re

from knox.models import AuthToken
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.core.messaging import MemorySmsBackend
from apps.identity.models import Reporter
from apps.identity.services import citizen_create

PHONE = "+628123456789"


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def citizen(
    phone: str = PHONE,
    *,
    name: str | None = "Siti Rahayu",
    email: str | None = "siti@example.id",
    nik: str | None = None,
) -> Reporter:
    return citizen_create(phone=phone, name=name, email=email, nik=nik)


def token_for(user: User) -> str:
    _, token = AuthToken.objects.create(user=user)
    return token


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def last_code() -> str:
    """The code in the newest SMS of the in-memory backend."""
    message = MemorySmsBackend.outbox[-1]
    code = message["code"]
    assert re.fullmatch(r"[0-9]{6}", code)
    assert code in message["body"]
    return str(code)


def sign_in(client: APIClient, phone: str, **profile: str) -> dict:
    """The whole OTP flow through the API; returns the verify response body."""
    requested = client.post("/api/v1/auth/otp/request/", {"phone": phone}, format="json")
    assert requested.status_code == 202, requested.json()
    verified = client.post(
        "/api/v1/auth/otp/verify/",
        {"phone": phone, "code": last_code(), **profile},
        format="json",
    )
    assert verified.status_code == 200, verified.json()
    return verified.json()


TICKET = "LW-7K3QX9"


def granted_request(
    *,
    reporter: Reporter,
    officer: User,
    supervisor: User,
    agency_code: str = "DINAS-SDA",
    ticket_ref: str = TICKET,
    fields: tuple[str, ...] = ("name", "phone"),
):
    """A reveal request by ``officer`` granted by ``supervisor`` (through the services)."""
    from apps.accounts.models import Agency
    from apps.identity.services import reveal_grant, reveal_request_create

    request = reveal_request_create(
        reporter=reporter,
        ticket_ref=ticket_ref,
        agency=Agency.objects.get(code=agency_code),
        actor=officer,
        reason="Perlu konfirmasi lokasi genangan",
        fields=fields,
    )
    return reveal_grant(reveal_request=request, actor=supervisor)


def fullwidth(text: str) -> str:
    """Full-width digits and plus sign (U+FF10..U+FF19, U+FF0B), as some keyboards type them."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() or c == "+" else c for c in text)
