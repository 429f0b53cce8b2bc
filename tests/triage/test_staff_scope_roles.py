"""One scope for every role on every surface: the admin list and change view, the staff API
list and detail, and the exports (manager report CSV and drill-down) show the same tickets.

Roles: officer (plus read-only tickets held before), supervisor, a Dinas over its Suku
Dinas, central triage (the unassigned and returned tickets), manager (reads all), a kelurahan
monitor (read-only, no personal data or internal notes), and staff without any grant.
"""

import csv
import io
import re

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.accounts.roles import OrgRole
from apps.accounts.services import user_grant_org_role
from apps.reports.models import Report, ReportEvent
from apps.triage import services
from tests.conftest import TEBET_ECO_PARK
from tests.factories import StaffFactory
from tests.reports.conftest import client_for
from tests.triage.triage_helpers import (
    BINA_MARGA_JAKPUS,
    GAMBIR,
    SDA,
    SDA_JAKPUS,
    SDA_JAKSEL,
    TRIAGE,
    agency,
    officer,
    ticket,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/reports/report/"


def _admin_ids(user: User) -> set[str]:
    client = Client()
    client.force_login(user)
    page = client.get(CHANGELIST).content.decode()
    return set(re.findall(r'field-public_id"><a href="[^"]*">(LW-\w{6})<', page))


def _api_ids(client: APIClient) -> set[str]:
    response = client.get("/api/v1/staff/tickets/", {"page_size": 100})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def _export(client: APIClient, units: list[int]) -> tuple[int, set[str]]:
    """Tickets in the manager report's CSV, and the union of its drill-downs per unit."""
    today = timezone.localdate().isoformat()
    period = {"start": today, "end": today, "group": "unit"}
    response = client.get("/api/v1/performance/report/export/", {**period, "file_format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    drilled: set[str] = set()
    for key in units:
        drill = client.get(
            "/api/v1/performance/report/tickets/", {**period, "key": key, "metric": "tickets"}
        )
        assert drill.status_code == 200
        drilled |= set(drill.json()["reports"])
    return sum(int(r["Tiket"]) for r in rows), drilled  # headers in Bahasa Indonesia


def test_every_role_sees_the_same_tickets_on_every_surface() -> None:
    jakpus = ticket()  # Suku Dinas SDA Jakarta Pusat, at Monas (Gambir)
    jaksel = ticket(location=TEBET_ECO_PARK)
    at_dinas = ticket(at=SDA)
    at_bina = ticket(at=BINA_MARGA_JAKPUS)
    unassigned = ticket(at=TRIAGE)  # not routed: waits at central triage
    held_before, returned = ticket(), ticket()
    sda_officer = officer()
    services.report_take(report=held_before, actor=sda_officer)
    services.report_koordinasi(
        report=held_before, actor=sda_officer, to_agency=agency(BINA_MARGA_JAKPUS), reason="Jalan"
    )
    # returned by the unit before anyone took it: not "held" by the officer afterwards
    services.report_return_to_triage(report=returned, actor=sda_officer, reason_code="wrong_area")
    tickets = [jakpus, jaksel, at_dinas, at_bina, unassigned, held_before, returned]
    units = [agency(code).pk for code in (SDA_JAKPUS, SDA_JAKSEL, SDA, BINA_MARGA_JAKPUS, TRIAGE)]
    manager = StaffFactory()
    user_grant_org_role(user=manager, role=OrgRole.MANAGER)
    roles = {
        "officer": (sda_officer, {jakpus, held_before}, {jakpus}),
        "supervisor": (officer(SDA_JAKSEL, "supervisor"), {jaksel}, {jaksel}),
        "dinas": (officer(SDA), {at_dinas, jakpus, jaksel}, {at_dinas}),
        "central_triage": (officer(TRIAGE), {unassigned, returned}, {unassigned, returned}),
        "manager": (manager, set(tickets), set()),
        "kelurahan_monitor": (
            officer(GAMBIR, role="monitor"),
            {jakpus, at_dinas, at_bina, unassigned, held_before, returned},
            set(),
        ),
        "no_grant": (StaffFactory(), set(), set()),
        "superuser_without_membership": (StaffFactory(is_superuser=True), set(), set()),
    }
    for role, (user, visible_tickets, actionable) in roles.items():
        visible = {t.public_id for t in visible_tickets}
        api = client_for(user)
        assert _admin_ids(user) == visible, role
        assert _api_ids(api) == visible, role
        exported, drilled = _export(api, units)
        assert (exported, drilled) == (len(visible), visible), role
        admin = Client()
        admin.force_login(user)
        for report in tickets:
            seen = report.public_id in visible
            detail = api.get(f"/api/v1/staff/tickets/{report.public_id}/")
            assert detail.status_code == (200 if seen else 404), (role, report.public_id)
            page = admin.get(f"{CHANGELIST}{report.pk}/change/")
            assert page.status_code == (200 if seen else 404), (role, report.public_id)
            if seen:
                assert detail.json()["can_act"] == (report in actionable), (role, report.public_id)
                assert ('id="lw-start"' in page.content.decode()) == (
                    report in actionable and report.status == Report.Status.MENUNGGU
                ), (role, report.public_id)


def test_the_monitor_reads_without_personal_data_or_internal_notes() -> None:
    report = ticket()
    user = officer()
    services.report_take(report=report, actor=user)  # an internal event
    services.report_start(report=report, actor=user, note="Petugas menuju lokasi")
    monitor = officer(GAMBIR, role="monitor")
    detail = client_for(monitor).get(f"/api/v1/staff/tickets/{report.public_id}/").json()
    assert [e["visibility"] for e in detail["timeline"]] == ["public"] * len(detail["timeline"])
    assert "Petugas menuju lokasi" in [e["note"] for e in detail["timeline"]]
    assert report.events.filter(visibility=ReportEvent.Visibility.INTERNAL).exists()
    admin = Client()
    admin.force_login(monitor)
    page = admin.get(f"{CHANGELIST}{report.pk}/change/").content.decode()
    body = str(detail)
    for secret in (report.reporter.pseudonym,):
        assert secret not in body
        assert secret not in page
    assert "reporter" not in detail
    assert detail["can_act"] is False
    assert 'id="lw-start"' not in page
