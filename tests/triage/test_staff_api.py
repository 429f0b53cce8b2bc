"""The staff API: sign-in, the scoped queue and detail, and the actions over HTTP."""

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from apps.accounts.roles import OrgRole
from apps.accounts.services import user_grant_org_role
from apps.reports.models import Report, ReportEvent
from apps.triage.selectors import scope as selectors_staff
from tests.conftest import MONAS, TEBET_ECO_PARK
from tests.factories import StaffFactory, UserFactory
from tests.reports.conftest import client_for
from tests.reports.factories import image_bytes, upload
from tests.triage.triage_helpers import (
    BINA_MARGA_JAKPUS,
    GAMBIR,
    SDA,
    SDA_JAKPUS,
    SDA_JAKSEL,
    after_photo,
    agency,
    near,
    officer,
    ticket,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/staff/tickets/"


def _detail(report: Report) -> str:
    return f"/api/v1/staff/tickets/{report.public_id}/"


def test_token_for_staff_only(api_client: APIClient):
    user = officer()
    response = api_client.post(
        "/api/v1/staff/auth/token/", {"username": user.username, "password": "pw-for-tests"}
    )
    assert response.status_code == 200
    assert len(response.json()["token"]) > 20
    citizen = UserFactory()
    for username, password in ((citizen.username, "pw-for-tests"), (user.username, "wrong")):
        refused = api_client.post(
            "/api/v1/staff/auth/token/", {"username": username, "password": password}
        )
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "invalid_credentials"


def test_token_refusals_are_in_the_one_error_shape(api_client: APIClient):
    url = "/api/v1/staff/auth/token/"
    before = AuthToken.objects.count()
    unsupported = api_client.generic("POST", url, b"username=x", content_type="text/plain")
    assert unsupported.status_code == 415
    assert unsupported.json()["error"]["code"] == "unsupported_media_type"
    assert unsupported.json()["error"]["fields"] == {}
    nameless_part = api_client.generic(
        "POST", url, b"--B\r\nCOM1--B--\r\n", content_type="multipart/form-data; boundary=B"
    )
    assert nameless_part.status_code == 400
    assert nameless_part.json()["error"]["code"] == "invalid"
    # Wrong passwords: django-axes locks the account and the address at the fifth (before
    # the 10-a-minute limit per address is reached), with a 429 (docs/security.md).
    user = officer()
    statuses = []
    for _attempt in range(40):
        throttled = api_client.post(url, {"username": user.username, "password": "wrong"})
        statuses.append(throttled.status_code)
        if throttled.status_code == 429:
            break
    assert statuses == [400] * 4 + [429]
    assert throttled["Retry-After"] == "1800"
    assert throttled.json()["error"]["code"] == "sign_in_locked"
    assert set(throttled.json()["error"]) == {"code", "message", "fields"}
    assert AuthToken.objects.count() == before


def test_non_staff_token_cannot_read_the_queue():
    client = client_for(UserFactory())
    assert client.get(LIST).status_code == 403


def _ids(client: APIClient) -> set[str]:
    response = client.get(LIST, {"page_size": 100})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_scope_for_every_role_list_and_detail_agree():
    jakpus = ticket()  # Suku Dinas SDA Jakarta Pusat, at Monas (Gambir)
    jaksel = ticket(location=TEBET_ECO_PARK)  # Suku Dinas SDA Jakarta Selatan
    at_dinas = ticket(at=SDA)
    at_bina = ticket(at=BINA_MARGA_JAKPUS)
    held_before = ticket()
    everything = {t.public_id for t in (jakpus, jaksel, at_dinas, at_bina, held_before)}
    sda_officer = officer()
    from apps.triage import services
    from tests.triage.triage_helpers import agency

    services.report_take(report=held_before, actor=sda_officer)
    services.report_koordinasi(
        report=held_before, actor=sda_officer, to_agency=agency(BINA_MARGA_JAKPUS), reason="Jalan"
    )
    manager = StaffFactory()
    user_grant_org_role(user=manager, role=OrgRole.MANAGER)
    monitor = officer(GAMBIR, role="monitor")
    expected = {
        "sda_jakpus_officer": (sda_officer, {jakpus.public_id, held_before.public_id}),
        "sda_jaksel_supervisor": (officer(SDA_JAKSEL, "supervisor"), {jaksel.public_id}),
        "dinas_member": (officer(SDA), {at_dinas.public_id, jakpus.public_id, jaksel.public_id}),
        "bina_marga": (officer(BINA_MARGA_JAKPUS), {at_bina.public_id, held_before.public_id}),
        "manager": (manager, everything),
        "gambir_monitor": (
            monitor,
            {jakpus.public_id, at_dinas.public_id, at_bina.public_id, held_before.public_id},
        ),
        "superuser_without_membership": (StaffFactory(is_superuser=True), set()),
    }
    for role, (user, visible) in expected.items():
        client = client_for(user)
        assert _ids(client) == visible, role
        for public_id in everything:
            status = client.get(f"/api/v1/staff/tickets/{public_id}/").status_code
            assert status == (200 if public_id in visible else 404), (role, public_id)


def test_queue_is_sorted_by_sla_left_and_filters(django_assert_num_queries):
    late, soon = ticket(), ticket()
    Report.objects.filter(pk=soon.pk).update(provisional_due_at=soon.created_at)
    Report.objects.filter(pk=late.pk).update(provisional_due_at=late.created_at.replace(year=2020))
    client = client_for(officer())
    rows = client.get(LIST).json()["results"]
    assert [r["id"] for r in rows] == [late.public_id, soon.public_id]
    assert rows[0]["sla_left_seconds"] < rows[1]["sla_left_seconds"] <= 0
    assert client.get(LIST, {"sla": "overdue"}).json()["results"][0]["id"] == late.public_id
    assert client.get(LIST, {"status": "proses"}).json()["results"] == []
    assert len(client.get(LIST, {"area": "31.71.01.1001"}).json()["results"]) == 2
    assert client.get(LIST, {"area": "31.74"}).json()["results"] == []
    assert client.get(LIST, {"sla": "bogus"}).status_code == 400
    assert client.get(LIST, {"page_size": 10**9}).status_code == 200


def test_queue_query_count_is_constant(django_assert_num_queries):
    user = officer()
    client = client_for(user)
    for _ in range(3):
        ticket()
    with django_assert_num_queries(8) as few:
        client.get(LIST, {"page_size": 100})
    for _ in range(97):
        ticket()
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(LIST, {"page_size": 100})
    assert len(response.json()["results"]) == 100


def test_actions_over_http_start_and_complete():
    report = ticket()
    user = officer()
    client = client_for(user)
    started = client.post(f"{_detail(report)}start/", {"note": "Menuju lokasi"}, format="json")
    assert started.status_code == 200
    assert started.json()["status"] == "proses"
    again = client.post(f"{_detail(report)}start/", {"note": "x"}, format="json")
    assert again.status_code == 409
    body = again.json()["error"]
    assert body["code"] == "invalid_transition"
    assert "proses" in body["message"]
    far = client.post(
        f"{_detail(report)}complete/",
        {"note": "Beres", "photo": after_photo(gps=near(MONAS, 5000))},
        format="multipart",
    )
    assert far.status_code == 400
    assert far.json()["error"]["code"] == "evidence_too_far"
    done = client.post(
        f"{_detail(report)}complete/",
        {"note": "Beres", "photo": after_photo(gps=near(MONAS, 20))},
        format="multipart",
    )
    assert done.status_code == 200
    data = done.json()
    assert data["status"] == "selesai"
    assert [p["kind"] for p in data["photos"]] == ["after"]
    assert "reporter" not in data
    assert "pseudonym" not in str(data)


def test_actions_outside_scope_are_404_and_bad_targets_400():
    report = ticket()
    outsider = client_for(officer(SDA_JAKSEL))
    assert (
        outsider.post(f"{_detail(report)}start/", {"note": "x"}, format="json").status_code == 404
    )
    client = client_for(officer())
    events = ReportEvent.objects.count()
    response = client.post(
        f"{_detail(report)}koordinasi/", {"to_agency": "NOPE", "reason": "x"}, format="json"
    )
    assert response.status_code == 400
    response = client.post(
        f"{_detail(report)}disposisi/", {"to_agency": BINA_MARGA_JAKPUS}, format="json"
    )
    assert response.status_code == 400
    response = client.post(f"{_detail(report)}assign/", {"assignee": "nobody"}, format="json")
    assert response.status_code == 400
    assert ReportEvent.objects.count() == events
    assert reverse("staff-ticket-list") == LIST


def test_queue_puts_open_tickets_first_by_deadline_then_closed_ones_most_recently_closed_first():
    now = timezone.now()
    late, soon, paused = ticket(), ticket(), ticket()
    confirmed_long_ago, rejected_today, done_yesterday = ticket(), ticket(), ticket()
    status = Report.Status
    for report, values in (
        (late, {"provisional_due_at": now - timedelta(days=3)}),
        (soon, {"provisional_due_at": now + timedelta(hours=2)}),
        (
            paused,
            {"status": status.MENUNGGU_INFO_PELAPOR, "provisional_due_at": now + timedelta(days=5)},
        ),
        (
            confirmed_long_ago,
            {
                "status": status.DIKONFIRMASI,
                "provisional_due_at": now - timedelta(days=30),
                "completed_at": now - timedelta(days=12),
                "closed_at": now - timedelta(days=9),
            },
        ),
        (
            rejected_today,
            {
                "status": status.DITOLAK,
                "provisional_due_at": now - timedelta(days=20),
                "closed_at": now,
            },
        ),
        (
            done_yesterday,
            {
                "status": status.SELESAI,
                "provisional_due_at": now - timedelta(days=40),
                "completed_at": now - timedelta(days=1),
            },
        ),
    ):
        Report.objects.filter(pk=report.pk).update(**values)
    expected = [
        late.public_id,
        soon.public_id,
        paused.public_id,
        rejected_today.public_id,
        done_yesterday.public_id,
        confirmed_long_ago.public_id,
    ]
    user = officer()
    client = client_for(user)

    rows = client.get(LIST).json()["results"]
    assert [r["id"] for r in rows] == expected
    assert [r["status"] for r in rows] == [
        "menunggu",
        "menunggu",
        "menunggu_info_pelapor",
        "ditolak",
        "selesai",
        "dikonfirmasi",
    ]
    # page by page, the same order without gaps or repeats
    paged = [
        row["id"]
        for page in (1, 2, 3)
        for row in client.get(LIST, {"page_size": 2, "page": page}).json()["results"]
    ]
    assert paged == expected
    # the selector and the bare rule (for the admin) give the same order
    scoped = selectors_staff.report_list_for_user(user=user)
    assert list(scoped.values_list("public_id", flat=True)) == expected
    bare = Report.objects.filter(public_id__in=expected).order_by(*selectors_staff.queue_ordering())
    assert list(bare.values_list("public_id", flat=True)) == expected


def _integer_keys(value: Any, path: str = "$") -> list[str]:
    """Every key ending in ``_id``, and every ``id``/``pk`` holding an integer, in ``value``."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}"
            if key.endswith("_id") or (key in ("id", "pk") and isinstance(item, int)):
                found.append(here)
            found += _integer_keys(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _integer_keys(item, f"{path}[{index}]")
    return found


def test_no_integer_key_reaches_a_staff_response_after_every_kind_of_action():
    report, duplicate = ticket(), ticket()
    supervisor, sda_officer = officer(role="supervisor"), officer()
    bina_marga = officer(BINA_MARGA_JAKPUS)
    boss = StaffFactory()
    user_grant_org_role(user=boss, role=OrgRole.MANAGER)
    as_supervisor, as_officer = client_for(supervisor), client_for(sda_officer)
    as_bina_marga, as_boss = client_for(bina_marga), client_for(boss)

    def act(client: APIClient, target: Report, action: str, body: dict[str, str]) -> Any:
        response = client.post(f"{_detail(target)}{action}/", body, format="json")
        assert response.status_code == 200, (action, response.json())
        return response.json()

    answers = [
        act(as_supervisor, report, "take", {}),
        act(as_supervisor, report, "assign", {"assignee": sda_officer.username}),
        act(as_officer, report, "start", {"note": "Menuju lokasi"}),
        act(as_officer, report, "request-info", {"question": "Di RT berapa?"}),
        act(as_officer, report, "resume", {"note": "Sudah dijawab"}),
        act(as_officer, report, "koordinasi", {"to_agency": BINA_MARGA_JAKPUS, "reason": "Jalan"}),
        act(as_bina_marga, report, "koordinasi-decline", {"reason": "Bukan jalan kami"}),
        act(as_officer, duplicate, "merge", {"parent_id": report.public_id, "note": "Sama"}),
        act(as_officer, report, "disposisi", {"to_agency": SDA_JAKSEL, "note": "Wilayah selatan"}),
    ]
    details = [as_boss.get(_detail(t)).json() for t in (report, duplicate)]
    lists = [
        client.get(LIST, {"page_size": 100}).json()
        for client in (as_boss, as_officer, as_supervisor, as_bina_marga)
    ]

    for body in (*answers, *details, *lists):
        assert _integer_keys(body) == []
    timeline = details[0]["timeline"]
    assigned = [e["data"] for e in timeline if e["kind"] == "assigned"]
    assert assigned == [
        {"assignee": supervisor.username, "previous_assignee": None},
        {"assignee": sda_officer.username, "previous_assignee": supervisor.username},
    ]
    transfers = [
        (e["data"]["mode"], e["data"]["from_agency"], e["data"]["to_agency"])
        for e in timeline
        if e["kind"] == "transferred" and "from_agency" in e["data"]
    ]
    assert transfers == [
        ("koordinasi", SDA_JAKPUS, BINA_MARGA_JAKPUS),
        ("koordinasi_declined", BINA_MARGA_JAKPUS, SDA_JAKPUS),
        ("disposisi", SDA_JAKPUS, SDA_JAKSEL),
    ]
    # what is stored keeps the ids the services and the SLA attribution read
    stored = ReportEvent.objects.filter(report=report, data__mode="disposisi").get().data
    assert (stored["from_agency_id"], stored["to_agency_id"]) == (
        report.agency_id,
        Report.objects.get(pk=report.pk).agency_id,
    )


def test_an_event_stored_with_unit_ids_only_is_shown_with_their_codes():
    """Events written by the demo-data generator name units by id alone."""
    report = ticket()
    sda_jakpus, bina_marga = agency(SDA_JAKPUS), agency(BINA_MARGA_JAKPUS)
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.TRANSFERRED,
        agency=sda_jakpus,
        visibility=ReportEvent.Visibility.INTERNAL,
        data={"mode": "koordinasi", "from_agency_id": sda_jakpus.pk, "to_agency_id": bina_marga.pk},
    )
    detail = client_for(officer()).get(_detail(report)).json()
    assert detail["timeline"][-1]["data"] == {
        "mode": "koordinasi",
        "from_agency": SDA_JAKPUS,
        "to_agency": BINA_MARGA_JAKPUS,
    }


def test_photo_links_are_the_report_api_and_work_with_the_officers_token():
    report = ticket(photos=[upload(image_bytes())])
    in_scope = client_for(officer())
    photos = in_scope.get(_detail(report)).json()["photos"]
    base = f"http://testserver/api/v1/reports/{report.public_id}/photos/1"
    assert [(p["n"], p["url"], p["thumbnail_url"]) for p in photos] == [
        (1, base, f"{base}/thumbnail")
    ]
    photo = in_scope.get(photos[0]["url"])
    thumbnail = in_scope.get(photos[0]["thumbnail_url"])
    assert (photo.status_code, photo["Content-Type"]) == (200, "image/jpeg")
    assert (thumbnail.status_code, thumbnail["Content-Type"]) == (200, "image/jpeg")
    outsider = client_for(officer(SDA_JAKSEL))
    for url in (photos[0]["url"], photos[0]["thumbnail_url"]):
        refused = outsider.get(url)
        assert (refused.status_code, refused.json()["error"]["code"]) == (404, "not_found")
        assert APIClient().get(url).status_code == 404


def test_every_reader_of_the_ticket_can_open_its_photo_links():
    report = ticket(photos=[upload(image_bytes())])
    manager = StaffFactory()
    user_grant_org_role(user=manager, role=OrgRole.MANAGER)
    readers = [officer(), officer(role="monitor"), manager]  # the unit, read-only, city-wide
    for reader in readers:
        client = client_for(reader)
        detail = client.get(_detail(report))
        assert detail.status_code == 200
        url = detail.json()["photos"][0]["url"]
        assert client.get(url).status_code == 200, reader
