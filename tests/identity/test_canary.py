"""Canary PII (quality row 5): it must appear only in the owner's own view and in the
authorised reveal response; nowhere in staff pages, other users' views, logs, the outbox or
the database in plaintext.

To cover a new page, add its URL to one of the lists below (``{placeholders}`` are filled
from ``_placeholders``). Every model registered in the admin is walked automatically.
"""

import logging

import pytest
from django.contrib import admin
from django.db import connection
from rest_framework.test import APIClient

from apps.accounts.roles import OrgRole
from apps.accounts.services import user_grant_org_role
from apps.core import outbox
from apps.core.messaging import MemoryPushBackend
from apps.core.models import OutboxMessage
from apps.identity import services
from apps.identity.models import IdentityAccessEvent, InboxMessage, Reporter, RevealRequest
from tests.factories import UserFactory, staff_in
from tests.identity.factories import TICKET, client_for, sign_in

pytestmark = pytest.mark.django_db

CANARY_NAME = "Budi CANARY-0812 Santoso"
CANARY_EMAIL = "CANARY-0812@example.id"
CANARY_PHONE = "0812-0812-0812"  # +6281208120812
CANARY_NIK = "3171081208120812"
# Lower-cased needles: the e-mail is stored lower-cased, the phone as E.164.
NEEDLES = ["canary-0812", "81208120812", "0812-0812-0812"]

# Staff API endpoints (GET), crawled as the officer, the supervisor and the DPO.
STAFF_API_URLS = [
    "/api/v1/identity/reveal-requests/",
]
# Admin pages beyond the automatic per-model walk.
ADMIN_URLS = [
    "/admin/",
    "/admin/identity/",
    "/admin/identity/reporter/{reporter_pk}/change/",
    "/admin/identity/reporter/?q={pseudonym}",
    "/admin/accounts/user/{citizen_user_pk}/change/",
]
# A different citizen's own endpoints (GET): they must show nothing of the canary.
OTHER_CITIZEN_URLS = [
    "/api/v1/me/",
    "/api/v1/me/export/",
    "/api/v1/me/inbox/",
]


def _leaks(text: str) -> list[str]:
    lowered = text.lower()
    return [needle for needle in NEEDLES if needle in lowered]


def _admin_urls(placeholders: dict[str, object]) -> list[str]:
    urls = [url.format(**placeholders) for url in ADMIN_URLS]
    for model in admin.site._registry:
        meta = model._meta
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        urls.append(base)
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(f"{base}{first.pk}/change/")
    for model in (Reporter, IdentityAccessEvent, RevealRequest):
        meta = model._meta
        urls += [
            f"/admin/{meta.app_label}/{meta.model_name}/{pk}/change/"
            for pk in model.objects.values_list("pk", flat=True)
        ]
    return urls


def _db_dump_leaks() -> dict[str, list[str]]:
    """Every table of the schema as text (bytea as hex), except spatial reference data."""
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name FROM information_schema.tables
            WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
              AND table_name <> 'spatial_ref_sys'
              AND table_name NOT IN (
                  SELECT f_table_name FROM geometry_columns WHERE f_table_schema = 'public')
            ORDER BY table_name
            """
        )
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 - catalogue names
            dump = "\n".join(row[0] for row in cursor.fetchall())
            hexed = [needle.encode().hex() for needle in NEEDLES]
            hits = _leaks(dump) + [h for h in hexed if h in dump]
            if hits:
                found[table] = hits
    return found


def test_the_canary_appears_only_to_its_owner_and_in_the_authorised_reveal(caplog):
    caplog.set_level(logging.DEBUG)
    anonymous = APIClient()

    # The citizen signs up with canary data and completes the profile.
    body = sign_in(anonymous, CANARY_PHONE, name=CANARY_NAME, email=CANARY_EMAIL)
    owner = APIClient()
    owner.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert owner.patch("/api/v1/me/", {"nik": CANARY_NIK}, format="json").status_code == 200
    reporter = Reporter.objects.get(pseudonym=body["reporter"]["pseudonym"])

    # A unit messages them through the outbox and the relay.
    outbox_id = outbox.enqueue(
        handler="apps.identity.services.inbox_deliver",
        payload={
            "reporter_id": reporter.pk,
            "kind": "info_request",
            "title": "Mohon foto tambahan",
            "body": "Petugas membutuhkan foto dari sisi lain.",
            "report_public_id": TICKET,
            "dedup_key": f"{TICKET}:info:1",
        },
    )
    outbox.deliver(message_id=outbox_id)

    # Officers: a request, a grant, an authorised reveal and a refused one.
    officer = staff_in("DINAS-SDA", "officer")
    supervisor = staff_in("DINAS-SDA", "supervisor")
    outsider = staff_in("DINAS-BINAMARGA", "officer")
    officer_client, supervisor_client = client_for(officer), client_for(supervisor)
    created = officer_client.post(
        "/api/v1/identity/reveal-requests/",
        {
            "pseudonym": reporter.pseudonym,
            "ticket_ref": TICKET,
            "agency": "DINAS-SDA",
            "fields": ["name", "phone", "email", "nik"],
            "reason": "Konfirmasi lokasi",
        },
        format="json",
    )
    granted = supervisor_client.post(
        f"/api/v1/identity/reveal-requests/{created.json()['id']}/grant/", {}, format="json"
    )
    reveal_body = {
        "pseudonym": reporter.pseudonym,
        "ticket_ref": TICKET,
        "agency": "DINAS-SDA",
        "fields": ["name", "phone", "email", "nik"],
    }
    revealed = officer_client.post("/api/v1/identity/reveal/", reveal_body, format="json")
    refused = client_for(outsider).post("/api/v1/identity/reveal/", reveal_body, format="json")

    # Allowed: the owner's own view and the authorised reveal.
    assert _leaks(owner.get("/api/v1/me/").content.decode())
    assert _leaks(owner.get("/api/v1/me/export/").content.decode())
    assert revealed.status_code == 200
    assert _leaks(revealed.content.decode())

    # Everything else: the responses written so far, every page and endpoint, logs, outbox.
    responses = {"request": created, "grant": granted, "refused reveal": refused}
    other = client_for(services.citizen_create(phone="+628999999999", name="Orang Lain").user)
    for url in OTHER_CITIZEN_URLS:
        responses[f"other citizen {url}"] = other.get(url)
    missing = InboxMessage.objects.get(reporter=reporter).public_id
    responses["other citizen read"] = other.post(f"/api/v1/me/inbox/{missing}/read/")
    for who, client in [("officer", officer_client), ("supervisor", supervisor_client)]:
        for url in STAFF_API_URLS:
            responses[f"{who} {url}"] = client.get(url)

    placeholders = {
        "reporter_pk": reporter.pk,
        "pseudonym": reporter.pseudonym,
        "citizen_user_pk": reporter.user_id,
    }
    superuser = UserFactory(is_staff=True, is_superuser=True)
    dpo = staff_in("DINAS-SDA", "officer")
    user_grant_org_role(user=dpo, role=OrgRole.DPO)
    for who, user in [("superuser", superuser), ("dpo", dpo), ("officer", officer)]:
        browser = APIClient()
        browser.force_login(user)
        for url in _admin_urls(placeholders):
            responses[f"{who} {url}"] = browser.get(url)

    statuses = {name: response.status_code for name, response in responses.items()}
    assert statuses["superuser /admin/identity/reporter/"] == 200
    assert (
        statuses[
            f"dpo /admin/identity/identityaccessevent/{reporter.access_events.first().pk}/change/"
        ]
        == 200
    )
    assert statuses[f"superuser /admin/accounts/user/{reporter.user_id}/change/"] == 200
    assert statuses["other citizen /api/v1/me/export/"] == 200
    assert statuses["refused reveal"] == 403
    leaked = {
        name: hits
        for name, response in responses.items()
        if (hits := _leaks(response.content.decode(errors="replace")))
    }
    assert leaked == {}
    assert _leaks(caplog.text) == []
    assert _leaks(str(list(OutboxMessage.objects.values_list("payload", flat=True)))) == []
    assert _leaks(str(MemoryPushBackend.outbox)) == []
    assert _leaks(str(list(IdentityAccessEvent.objects.values()))) == []
    assert _db_dump_leaks() == {}
