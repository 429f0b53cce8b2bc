"""Canary PII (quality row 5): a reporter's name, phone, e-mail and NIK appear only in the
owner's own ``/me`` views and in the authorised reveal response; nowhere in any page or API
answer seen by anyone else, the logs, the outbox or the database in plaintext.

Nothing here is a hand-kept list of pages. The crawl is derived at run time from:

* the OpenAPI schema (``/api/schema/``): every GET operation, path parameters filled from
  ``PATH_VALUES``, required query parameters from ``QUERY_VALUES``, enum parameters walked
  through every value (when the first value answers 200);
* the Open311 URL patterns (``apps.open311.urls``): every named resource in .json and .xml;
* ``admin.site._registry``: every URL of every registered ``ModelAdmin.get_urls()`` (the
  change list, add, change, history and delete pages and custom views such as the ticket
  photos), for the newest rows of each model.

A new endpoint is therefore crawled without touching this file; if it takes a parameter the
crawl cannot fill, the test fails and names it (add a value to ``PATH_VALUES`` etc.).
"""

import io
import logging
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone
from rest_framework.test import APIClient

import apps.dashboard.urls
import apps.open311.urls
from apps.accounts.models import User
from apps.accounts.roles import OrgRole
from apps.accounts.services import user_grant_org_role
from apps.cctv.models import Camera
from apps.cctv.services import clips_ingest, vms_register
from apps.core.messaging import MemoryPushBackend
from apps.core.models import OutboxMessage
from apps.dashboard.services import dashboard_refresh
from apps.identity import services, vault
from apps.identity.models import InboxMessage, Reporter, RevealRequest
from apps.open311.services import client_app_create
from apps.reports.models import Report
from tests.factories import StaffFactory, UserFactory, staff_in
from tests.identity.factories import client_for, sign_in
from tests.reports.factories import image_bytes, upload

pytestmark = pytest.mark.django_db

UNIT = "DINAS-SDA-31.71"
VMS_KEY = "canary-vms-key"  # banjir at Monas is routed here
MONAS_LAT, MONAS_LON = -6.1754, 106.8272

# Dedicated values: nothing else in the test data uses them. Phones and NIKs hold digits only,
# so every notation of the number is searched for.
CANARY = f"CNRY{uuid.uuid4().hex[:10].upper()}"
CANARY_311 = f"CNRZ{uuid.uuid4().hex[:10].upper()}"
PHONE = "0812 7719 0246"
PHONE_FORMS = ["+6281277190246", "6281277190246", "081277190246", "81277190246", "0812-7719-0246"]
PHONE_FORMS += ["+62 812-7719-0246", "0812 7719 0246"]
NIK = "3171077190246012"
NEEDLES = [CANARY.lower(), CANARY_311.lower(), *PHONE_FORMS, NIK]


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any) -> None:
    """The canary's photo lands in a temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _leaks(text: str) -> list[str]:
    lowered = text.lower()
    return [needle for needle in NEEDLES if needle.lower() in lowered]


def _text(response: HttpResponseBase) -> str:
    """The body as text; spreadsheets are opened and every cell value is read."""
    content = response.getvalue()  # type: ignore[attr-defined]  # also streaming responses
    if "spreadsheetml" in response.get("Content-Type", ""):
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        cells = [
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        return "\n".join(cells)
    return content.decode(errors="replace")


# --- what the crawl fills in ---------------------------------------------------------------


def _path_values(world: dict[str, Any]) -> dict[str, list[str]]:
    return {
        "public_id": [world["ticket"], world["open311_ticket"]],
        "n": ["1"],
        "code": ["AAAA-BBBB-CCCC"],  # no tracking code: the canary ticket is signed in
        "message_id": [world["inbox_message"]],
        "request_id": [world["reveal_request"]],
        "appeal_id": [str(uuid.uuid4())],
    }


def _query_values() -> dict[str, str]:
    today = timezone.localdate()
    return {
        "start": (today - timedelta(days=7)).isoformat(),
        "end": (today + timedelta(days=1)).isoformat(),
        "period": today.strftime("%Y-%m"),
        "bbox": "106.6,-6.4,107.0,-6.0",
        "lat": str(MONAS_LAT),
        "lon": str(MONAS_LON),
        "category": "banjir",
    }


Request = tuple[str, dict[str, str], list[tuple[str, str]]]


def _openapi_requests(schema: dict[str, Any], world: dict[str, Any]) -> Iterator[Request]:
    """(URL, required query, enum variants) of every GET operation in the schema."""
    path_values, query_values = _path_values(world), _query_values()
    for template, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        parameters = operation.get("parameters", [])
        path_params = [p["name"] for p in parameters if p["in"] == "path"]
        unknown = [name for name in path_params if name not in path_values]
        assert not unknown, f"{template}: add a value for path parameter(s) {unknown}"
        urls = [template]
        for name in path_params:
            urls = [u.replace(f"{{{name}}}", v) for u in urls for v in path_values[name]]
        base: dict[str, str] = {}
        variants: list[tuple[str, str]] = []
        for parameter in (p for p in parameters if p["in"] == "query"):
            name, enum = parameter["name"], parameter.get("schema", {}).get("enum")
            if enum:
                if parameter.get("required"):
                    base[name] = enum[0]
                variants += [(name, value) for value in enum if base.get(name) != value]
            elif parameter.get("required"):
                assert name in query_values, f"{template}: add a value for query parameter {name}"
                base[name] = query_values[name]
        for url in urls:
            yield url, base, variants


def _open311_urls(world: dict[str, Any]) -> list[str]:
    values = {
        "service_code": ["banjir"],
        "service_request_id": [world["ticket"], world["open311_ticket"]],
        "token": [world["open311_token"]],
        "rest": ["v2/unknown"],
    }
    urls = []
    for pattern in apps.open311.urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        groups = [g for g in pattern.pattern.regex.groupindex if g != "format"]
        unknown = [g for g in groups if g not in values]
        assert not unknown, f"open311 {pattern.name}: add a value for {unknown}"
        combos: list[dict[str, str]] = [{}]
        for group in groups:
            combos = [{**c, group: v} for c in combos for v in values[group]]
        for kwargs in combos:
            for fmt in ("json", "xml"):
                urls.append(reverse(pattern.name, kwargs={**kwargs, "format": fmt}))
    return urls


def _dashboard_urls() -> list[str]:
    """Every dashboard page and the JSON its maps load (``apps.dashboard.urls``)."""
    values = {"code": ["31.71.01.1001"]}  # Gambir: the canary ticket is at Monas
    queries = {"dashboard:clusters": "?z=16&bbox=106.80,-6.19,106.84,-6.16"}
    urls = []
    for pattern in apps.dashboard.urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        groups = list(pattern.pattern.regex.groupindex)
        unknown = [g for g in groups if g not in values]
        assert not unknown, f"dashboard {pattern.name}: add a value for {unknown}"
        name = f"dashboard:{pattern.name}"
        kwargs = {g: values[g][0] for g in groups}
        urls.append(reverse(name, kwargs=kwargs) + queries.get(name, ""))
    return urls


ADMIN_ROWS_PER_MODEL = 3  # the newest rows: the canary's own data is the newest of each model


def _admin_urls(*, users: list[User]) -> list[str]:
    """Every named URL of every registered ModelAdmin, for the newest rows of its model
    (and, for the object-permission pages, the given users and every group)."""
    groups = list(Group.objects.values_list("pk", flat=True))
    urls = ["/admin/"] + [
        f"/admin/{app}/" for app in {m._meta.app_label for m in admin.site._registry}
    ]
    for model, model_admin in admin.site._registry.items():
        pks = list(
            model._default_manager.order_by("-pk").values_list("pk", flat=True)[
                :ADMIN_ROWS_PER_MODEL
            ]
        )
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue  # the unnamed catch-all only redirects to the change page
            params = list(pattern.pattern.converters)
            name = f"admin:{pattern.name}"
            fills = {
                "object_id": pks,
                "pk": pks,
                "id": pks,
                "object_pk": pks,
                "n": [1],
                "action": ["start"],
                "group_id": groups,
                "user_id": [user.pk for user in users],
            }
            unknown = [p for p in params if p not in fills]
            assert not unknown, f"{name}: add a value for {unknown}"
            combos: list[dict[str, Any]] = [{}]
            for param in params:
                combos = [{**c, param: v} for c in combos for v in fills[param]]
            urls += [reverse(name, kwargs=kwargs) for kwargs in combos]
    return urls


# --- the database, column by column ------------------------------------------------------


def _db_leaks() -> dict[str, list[str]]:
    """``col::text ILIKE`` for every text, json, array and bytea column of the public schema
    (bytea also byte-wise, for the UTF-8 bytes of each needle)."""
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name, c.column_name, c.data_type
            FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
              AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb',
                                  'bytea', 'ARRAY', 'USER-DEFINED')
              AND c.udt_name NOT IN ('geometry', 'geography')
            ORDER BY c.table_name, c.ordinal_position
            """
        )
        columns = cursor.fetchall()
        for table, column, data_type in columns:
            for needle in NEEDLES:
                sql = f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s'  # noqa: S608
                cursor.execute(sql, [f"%{needle}%"])
                hits = cursor.fetchone()[0]
                if data_type == "bytea":
                    cursor.execute(
                        f'SELECT count(*) FROM "{table}" WHERE position(%s::bytea in "{column}") > 0',  # noqa: S608, E501
                        [needle.encode()],
                    )
                    hits += cursor.fetchone()[0]
                if hits:
                    found.setdefault(f"{table}.{column}", []).append(needle)
    assert len(columns) > 100  # the scan really walked the schema
    return found


def _log_everything(caplog: pytest.LogCaptureFixture) -> None:
    """DEBUG for every logger, and capture also from loggers that do not propagate."""
    caplog.set_level(logging.DEBUG)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            caplog.set_level(logging.DEBUG, logger=name)
            if not logger.propagate:
                logger.addHandler(caplog.handler)


# --- the scenario --------------------------------------------------------------------------


def _world(owner: APIClient) -> dict[str, Any]:
    """The canary's ticket with a photo, a message, an officer's action, a reveal, Open311."""
    filed = owner.post(
        "/api/v1/reports/",
        {
            "client_request_id": str(uuid.uuid4()),
            "category": "banjir",
            "description": "Genangan setinggi lutut di depan halte.",
            "lat": str(MONAS_LAT),
            "lon": str(MONAS_LON),
            "photos": [upload(image_bytes())],
        },
        format="multipart",
    )
    assert filed.status_code == 201, filed.json()
    ticket = filed.json()["id"]
    said = owner.post(
        f"/api/v1/reports/{ticket}/messages/", {"body": "Airnya makin tinggi."}, format="json"
    )
    assert said.status_code == 201, said.json()

    officer = staff_in(UNIT, "officer")
    supervisor = staff_in(UNIT, "supervisor")
    officer_api, supervisor_api = client_for(officer), client_for(supervisor)
    started = officer_api.post(
        f"/api/v1/staff/tickets/{ticket}/start/", {"note": "Menuju lokasi"}, format="json"
    )
    assert started.status_code == 200, started.json()

    # CCTV evidence: a VMS's clip, linked by hand and played (docs/cctv.md).
    vms, _key = vms_register(code="canary-vms", name="VMS", key=VMS_KEY)
    Camera.objects.filter(code="streetside-1244").update(vms=vms)
    start = timezone.now() - timedelta(minutes=20)
    [ingested] = clips_ingest(
        vms=vms,
        items=[
            {
                "camera": "streetside-1244",
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=5)).isoformat(),
                "storage_uri": "https://vms.example/canary.mp4",
                "sha256": "a" * 64,
                "size": 1000,
            }
        ],
    ).items
    assert ingested.clip is not None
    clip_uid = str(ingested.clip.uid)
    linked = officer_api.post(
        f"/api/v1/staff/tickets/{ticket}/evidence/links/",
        {"clip": clip_uid, "note": "Terlihat di kamera"},
        format="json",
    )
    assert linked.status_code == 201, linked.json()

    reporter = Report.objects.get(public_id=ticket).reporter
    services.inbox_deliver(
        reporter_id=reporter.pk,
        kind="info_request",
        title="Mohon foto tambahan",
        body="Petugas membutuhkan foto dari sisi lain.",
        report_public_id=ticket,
        dedup_key=f"{ticket}:info:1",
    )
    fields = ["name", "phone", "email", "nik"]
    asked = officer_api.post(
        f"/api/v1/staff/tickets/{ticket}/reveal-requests/",
        {"fields": fields, "reason_code": "verify", "justification": "Konfirmasi lokasi"},
        format="json",
    )
    assert asked.status_code == 201, asked.json()
    granted = supervisor_api.post(
        f"/api/v1/identity/reveal-requests/{asked.json()['id']}/grant/", {}, format="json"
    )
    assert granted.status_code == 200, granted.json()
    reveal_url = f"/api/v1/staff/tickets/{ticket}/reveal/"
    revealed = officer_api.post(reveal_url, {"fields": fields}, format="json")
    outsider = client_for(staff_in("DINAS-BINAMARGA-31.71", "officer"))
    refused = outsider.post(reveal_url, {"fields": fields}, format="json")

    _app, key = client_app_create(name="Aplikasi Kota")
    open311 = Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "banjir",
            "lat": str(MONAS_LAT),
            "long": str(MONAS_LON),
            "description": "Saluran tersumbat.",
            "first_name": f"Ani {CANARY_311}",
            "last_name": f"{CANARY_311} Wijaya",
            "email": f"{CANARY_311}@example.id",
        },
    )
    assert open311.status_code == 200, open311.content
    [submitted] = open311.json()
    return {
        "ticket": ticket,
        "reporter": reporter,
        "officer": officer,
        "supervisor": supervisor,
        "revealed": revealed,
        "written": {
            "request": asked,
            "grant": granted,
            "start": started,
            "refused": refused,
            "clip link": linked,
        },
        "inbox_message": str(InboxMessage.objects.get(reporter=reporter).public_id),
        "reveal_request": str(RevealRequest.objects.get().public_id),
        "open311_ticket": submitted["service_request_id"],
        # Created synchronously: the answer has the id only; the token is the stored key.
        "open311_token": str(
            Report.objects.get(public_id=submitted["service_request_id"]).client_request_id
        ),
    }


def _roles(world: dict[str, Any]) -> dict[str, User | None]:
    manager = StaffFactory()
    user_grant_org_role(user=manager, role=OrgRole.MANAGER)
    dpo = StaffFactory()
    user_grant_org_role(user=dpo, role=OrgRole.DPO)
    other = services.citizen_create(phone="+628999999999", name="Orang Lain")
    return {
        "officer": world["officer"],
        "supervisor": world["supervisor"],
        "manager": manager,
        "monitor": staff_in(UNIT, "monitor"),
        "dpo": dpo,
        "other citizen": other.user,
        "anonymous": None,
    }


def _crawl_api(
    clients: dict[str, APIClient], schema: dict[str, Any], world: dict[str, Any]
) -> dict[str, HttpResponseBase]:
    responses: dict[str, HttpResponseBase] = {}
    for url, base, variants in _openapi_requests(schema, world):
        for who, client in clients.items():
            first = client.get(url, base)
            responses[f"{who} GET {url} {base}"] = first
            if first.status_code != 200:
                continue  # refused or empty: the variants would be refused the same way
            for name, value in variants:
                query = {**base, name: value}
                responses[f"{who} GET {url} {query}"] = client.get(url, query)
    return responses


def test_the_canary_appears_only_to_its_owner_and_in_the_authorised_reveal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    _log_everything(caplog)

    # The citizen signs up through the OTP API with canary data and adds a canary NIK.
    body = sign_in(APIClient(), PHONE, name=f"Budi {CANARY} Santoso", email=f"{CANARY}@example.id")
    owner = APIClient()
    owner.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert owner.patch("/api/v1/me/", {"nik": NIK}, format="json").status_code == 200
    world = _world(owner)

    # Allowed: the owner's own views and the authorised reveal (positive controls).
    assert world["revealed"].status_code == 200
    assert set(_leaks(_text(world["revealed"]))) >= {CANARY.lower(), "+6281277190246", NIK}
    for url in ("/api/v1/me/", "/api/v1/me/export/"):
        assert _leaks(_text(owner.get(url)))

    responses: dict[str, HttpResponseBase] = {
        f"written {k}": r for k, r in world["written"].items()
    }
    roles = _roles(world)
    clients = {}
    for who, user in roles.items():
        clients[who] = client_for(user) if user is not None else APIClient()
    clients["vms"] = APIClient()
    clients["vms"].credentials(HTTP_AUTHORIZATION=f"Api-Key {VMS_KEY}")
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    responses.update(_crawl_api(clients, schema.json(), world))
    for url in _open311_urls(world):
        for who, client in clients.items():
            responses[f"{who} GET {url}"] = client.get(url)

    dashboard_refresh()
    kelurahan_monitor = staff_in("KELURAHAN-31.71.01.1001", "monitor")
    for url in _dashboard_urls():
        for who, user in [*roles.items(), ("kelurahan monitor", kelurahan_monitor)]:
            browser = Client()
            if user is not None:
                browser.force_login(user)
            responses[f"dashboard as {who} GET {url}"] = browser.get(url)

    superuser = UserFactory(is_staff=True, is_superuser=True)
    admin_urls = _admin_urls(users=[world["officer"]])
    admin_users = [
        ("superuser", superuser),
        ("officer", world["officer"]),
        ("supervisor", world["supervisor"]),
        ("dpo", roles["dpo"]),
    ]
    for who, user in admin_users:
        browser = Client()
        browser.force_login(user)
        for url in admin_urls:
            responses[f"admin as {who} GET {url}"] = browser.get(url)

    statuses = {name: response.status_code for name, response in responses.items()}
    assert [name for name, code in statuses.items() if code >= 500] == []
    ticket = world["ticket"]
    # The crawl reached the data, it was not refused everywhere.
    staff_detail = f"/api/v1/staff/tickets/{ticket}/"
    for who in ("officer", "supervisor", "monitor"):
        assert statuses[f"{who} GET {staff_detail} {{}}"] == 200
    exports = [
        name
        for name, r in responses.items()
        if name.startswith("manager GET /api/v1/performance/report/export/")
        and r.status_code == 200
    ]
    assert any("'xlsx'" in name for name in exports)
    assert any("'csv'" in name for name in exports)
    assert statuses[f"officer GET /api/v1/reports/{ticket}/photos/1 {{}}"] == 200
    evidence_url = f"/api/v1/staff/tickets/{ticket}/evidence/"
    assert {who: statuses[f"{who} GET {evidence_url} {{}}"] for who in clients} == {
        "officer": 200,
        "supervisor": 200,
        "manager": 200,
        "monitor": 403,
        "dpo": 404,
        "other citizen": 403,
        "anonymous": 401,
        "vms": 401,
    }
    assert statuses["vms GET /api/v1/cctv/cameras/ {}"] == 200
    assert statuses["vms GET /api/v1/cctv/clip-requests/ {}"] == 200
    assert statuses["other citizen GET /api/v1/me/export/ {}"] == 200
    reporter_pk = world["reporter"].pk
    assert statuses[f"admin as superuser GET /admin/identity/reporter/{reporter_pk}/change/"] == 200
    report_pk = Report.objects.get(public_id=ticket).pk
    assert statuses[f"admin as officer GET /admin/reports/report/{report_pk}/photo/1/"] == 200
    assert statuses[f"admin as officer GET /admin/reports/report/{report_pk}/change/"] == 200
    # The supervisors' list and the DPO's audit trail and ticket metadata were reached.
    assert statuses["admin as supervisor GET /admin/reports/report/reveal-requests/"] == 200
    audit = "/admin/reports/report/identity-audit/"
    assert statuses[f"admin as dpo GET {audit}"] == 200
    assert ticket in _text(responses[f"admin as dpo GET {audit}"])
    assert statuses[f"admin as dpo GET {audit}{report_pk}/"] == 200
    assert ticket in _text(responses[f"admin as dpo GET {audit}{report_pk}/"])
    assert statuses[f"admin as officer GET {audit}"] == 403
    assert statuses[f"anonymous GET /open311/v2/requests/{world['open311_ticket']}.xml"] == 200
    duty = responses["dashboard as kelurahan monitor GET /dashboard/piket/"]
    assert duty.status_code == 200
    assert ticket in _text(duty)  # the duty view reached the canary's ticket
    assert (
        statuses["dashboard as anonymous GET /dashboard/kelurahan/31.71.01.1001/peta.json"] == 200
    )
    assert len(responses) > 500
    open311_reporter = Report.objects.get(public_id=world["open311_ticket"]).reporter
    sealed = vault.reveal(reporter=open311_reporter, fields=["email"])
    assert sealed == {"email": f"{CANARY_311.lower()}@example.id"}

    leaked = {name: hits for name, r in responses.items() if (hits := _leaks(_text(r)))}
    assert leaked == {}
    assert _account_values_shown(world["reporter"], responses) == {}
    assert _leaks(caplog.text) == []
    payloads = [str(p) for p in OutboxMessage.objects.values_list("payload", flat=True)]
    assert payloads
    assert _leaks("\n".join(payloads)) == []
    assert _leaks(str(MemoryPushBackend.outbox)) == []
    assert _db_leaks() == {}
    assert Reporter.objects.filter(pk=reporter_pk, erased_at__isnull=True).exists()


def _account_values_shown(
    reporter: Reporter, responses: dict[str, HttpResponseBase]
) -> dict[str, list[str]]:
    """Values derived from the reporter's account, which would let staff link two tickets
    to one person: the account's username and the pseudonym. Only the DPO's register of
    pseudonyms (the identity admin) and the DPO's own API may show the pseudonym."""
    user = User.objects.get(reporter=reporter)
    assert user.is_citizen
    found: dict[str, list[str]] = {}
    for name, response in responses.items():
        text = _text(response)
        hits = [user.username] if user.username in text else []
        dpo_register = name.startswith(
            (
                "admin as superuser GET /admin/identity/",
                "admin as dpo GET /admin/identity/",
                "dpo ",
            )
        )
        if reporter.pseudonym in text and not dpo_register:
            hits.append(reporter.pseudonym)
        if hits:
            found[name] = hits
    return found


def test_the_scan_finds_a_plaintext_canary_in_text_and_bytea_columns() -> None:
    """The scan itself works: plaintext planted in a text and a bytea column is found."""
    reporter = services.citizen_create(phone="+628111111111", name="Lain")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE identity_reporter SET pseudonym = %s WHERE id = %s", [CANARY, reporter.pk]
        )
        cursor.execute(
            "UPDATE identity_reporteridentity SET enc_name = %s WHERE reporter_id = %s",
            [NIK.encode(), reporter.pk],
        )

    assert _db_leaks() == {
        "identity_reporter.pseudonym": [CANARY.lower()],
        "identity_reporteridentity.enc_name": [NIK],
    }
