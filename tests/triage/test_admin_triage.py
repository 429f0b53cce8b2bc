"""The triage admin: scoped list and page for every role, constant queries, action buttons."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.roles import OrgRole
from apps.accounts.services import user_grant_org_role
from apps.reports.models import Report
from apps.triage import services
from tests.conftest import MONAS, TEBET_ECO_PARK
from tests.factories import StaffFactory
from tests.triage.triage_helpers import (
    BINA_MARGA_JAKPUS,
    GAMBIR,
    SDA,
    SDA_JAKSEL,
    after_photo,
    agency,
    near,
    officer,
    ticket,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/reports/report/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _listed(client: Client) -> set[str]:
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    return set(
        re.findall(r'field-public_id"><a href="[^"]*">(LW-\w{6})<', response.content.decode())
    )


def test_every_role_sees_the_same_tickets_in_the_list_and_the_change_view():
    jakpus, jaksel = ticket(), ticket(location=TEBET_ECO_PARK)
    at_dinas, at_bina, held_before = ticket(at=SDA), ticket(at=BINA_MARGA_JAKPUS), ticket()
    everything = {t.public_id: t for t in (jakpus, jaksel, at_dinas, at_bina, held_before)}
    sda_officer = officer()
    services.report_take(report=held_before, actor=sda_officer)
    services.report_koordinasi(
        report=held_before, actor=sda_officer, to_agency=agency(BINA_MARGA_JAKPUS), reason="Jalan"
    )
    manager = StaffFactory()
    user_grant_org_role(user=manager, role=OrgRole.MANAGER)
    expected = {
        "sda_jakpus_officer": (sda_officer, {jakpus.public_id, held_before.public_id}),
        "sda_jaksel_supervisor": (officer(SDA_JAKSEL, "supervisor"), {jaksel.public_id}),
        "dinas_member": (officer(SDA), {at_dinas.public_id, jakpus.public_id, jaksel.public_id}),
        "manager": (manager, set(everything)),
        "gambir_monitor": (
            officer(GAMBIR, role="monitor"),
            {jakpus.public_id, at_dinas.public_id, at_bina.public_id, held_before.public_id},
        ),
        "superuser_without_membership": (StaffFactory(is_superuser=True), set()),
    }
    for role, (user, visible) in expected.items():
        client = _client(user)
        assert _listed(client) == visible, role
        for public_id, report in everything.items():
            page = client.get(f"{CHANGELIST}{report.pk}/change/")
            assert page.status_code == (200 if public_id in visible else 404), (role, public_id)
            photo = client.get(f"{CHANGELIST}{report.pk}/photo/1/")
            assert photo.status_code == 404  # no photos, or not visible: the same answer


def test_change_view_shows_map_timeline_and_no_reporter_data():
    report = ticket()
    user = officer()
    page = _client(user).get(f"{CHANGELIST}{report.pk}/change/").content.decode()
    assert "<svg" in page
    assert 'class="lw-boundary"' in page
    assert "<circle" in page
    assert "Banjir setinggi lutut" in page
    assert report.reporter.pseudonym not in page
    assert 'id="lw-start"' in page


def test_changelist_query_count_is_constant_with_100_tickets(django_assert_num_queries):
    user = officer()
    client = _client(user)
    ticket()
    client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as few:
        client.get(CHANGELIST)
    for _ in range(99):
        ticket()
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(CHANGELIST, {"o": "8"})
    assert response.status_code == 200
    assert len(re.findall(r'class="field-public_id"', response.content.decode())) == 50


def test_action_buttons_call_the_services():
    report = ticket()
    user = officer()
    client = _client(user)
    response = client.post(f"{CHANGELIST}{report.pk}/act/start/", {"note": "Menuju lokasi"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.assignee) == (Report.Status.PROSES, user)
    client.post(
        f"{CHANGELIST}{report.pk}/act/complete/",
        {"note": "Beres", "photo": after_photo(gps=near(MONAS, 5000))},
    )
    report.refresh_from_db()
    assert report.status == Report.Status.PROSES  # refused: too far
    client.post(
        f"{CHANGELIST}{report.pk}/act/complete/",
        {"note": "Beres", "photo": after_photo(gps=near(MONAS, 30))},
    )
    report.refresh_from_db()
    assert report.status == Report.Status.SELESAI
    assert client.get(f"{CHANGELIST}{report.pk}/photo/1/").status_code == 200
    assert client.get(f"{CHANGELIST}{report.pk}/photo/1/thumbnail/").status_code == 200


def test_actions_outside_scope_are_404_and_change_nothing():
    report = ticket()
    outsider = _client(officer(SDA_JAKSEL))
    assert outsider.post(f"{CHANGELIST}{report.pk}/act/start/", {"note": "x"}).status_code == 404
    monitor = _client(officer(GAMBIR, role="monitor"))
    assert monitor.post(f"{CHANGELIST}{report.pk}/act/start/", {"note": "x"}).status_code == 404
    report.refresh_from_db()
    assert report.status == Report.Status.MENUNGGU


def test_bulk_claim_and_assign():
    first, second = ticket(), ticket()
    boss, colleague = officer(role="supervisor"), officer()
    client = _client(boss)
    client.post(
        CHANGELIST,
        {"action": "bulk_take", "_selected_action": [first.pk], "index": 0},
    )
    client.post(
        CHANGELIST,
        {
            "action": "bulk_assign",
            "_selected_action": [second.pk],
            "assignee": colleague.username,
            "index": 0,
        },
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.assignee, second.assignee) == (boss, colleague)


def test_response_templates_and_canned_reasons_are_offered():
    from apps.triage.models import CannedReason, ResponseTemplate

    report = ticket()
    ResponseTemplate.objects.create(
        category=report.category,
        purpose="start",
        title="Menuju lokasi",
        body="Petugas menuju lokasi.",
    )
    ResponseTemplate.objects.create(
        category=None, purpose="complete", title="Umum", body="Sudah ditangani."
    )
    ResponseTemplate.objects.create(
        category=None, purpose="start", title="Nonaktif", body="x", is_active=False
    )
    CannedReason.objects.create(agency=report.agency, purpose="koordinasi", text="Jalan amblas")
    CannedReason.objects.create(agency=agency(SDA_JAKSEL), purpose="koordinasi", text="Lain unit")
    user = officer()
    page = _client(user).get(f"{CHANGELIST}{report.pk}/change/").content.decode()
    assert 'value="Petugas menuju lokasi."' in page
    assert 'value="Jalan amblas"' in page
    assert "Nonaktif" not in page
    assert "Lain unit" not in page
    from tests.reports.conftest import client_for

    data = client_for(user).get(f"/api/v1/staff/tickets/{report.public_id}/").json()
    assert data["response_templates"] == [
        {"purpose": "complete", "title": "Umum", "body": "Sudah ditangani."},
        {"purpose": "start", "title": "Menuju lokasi", "body": "Petugas menuju lokasi."},
    ]
    assert data["canned_reasons"] == [{"purpose": "koordinasi", "text": "Jalan amblas"}]
