"""Staff never see anything of a citizen's account (docs/security.md, row 1): the timeline
of the staff API and of the admin ticket page name the citizen "Pelapor" (the reporter) or
"Warga" (a supporter), never the account's username, which is the same on every ticket."""

import pytest
from django.test import Client

from apps.identity import services as identity_services
from apps.reports.models import Report
from tests.identity.factories import client_for
from tests.triage.triage_helpers import officer

pytestmark = pytest.mark.django_db


def test_the_staff_timeline_names_the_reporter_pelapor() -> None:
    owner = identity_services.citizen_create(phone="+628123450001").user
    supporter = identity_services.citizen_create(phone="+628123450002").user
    filed = client_for(owner).post(
        "/api/v1/reports/",
        {
            "client_request_id": "5a0c7a52-8d3e-4b7e-9b43-0e6f4f1f0a01",
            "category": "banjir",
            "description": "Genangan setinggi lutut di depan halte.",
            "lat": -6.1754,
            "lon": 106.8272,
        },
        format="json",
    )
    assert filed.status_code == 201
    ticket = filed.json()["id"]
    said = client_for(owner).post(
        f"/api/v1/reports/{ticket}/messages/", {"body": "Airnya naik."}, format="json"
    )
    assert said.status_code == 201
    assert client_for(supporter).post(f"/api/v1/reports/{ticket}/support/").status_code in (
        200,
        201,
    )
    staff = officer()

    detail = client_for(staff).get(f"/api/v1/staff/tickets/{ticket}/", HTTP_ACCEPT_LANGUAGE="id")
    browser = Client()
    browser.force_login(staff)
    report = Report.objects.get(public_id=ticket)
    page = browser.get(
        f"/admin/reports/report/{report.pk}/change/", HTTP_ACCEPT_LANGUAGE="id"
    ).content.decode()

    assert detail.status_code == 200
    actors = {(e["kind"], e["actor"]) for e in detail.json()["timeline"]}
    assert {("created", "Pelapor"), ("message", "Pelapor"), ("support", "Warga")} <= actors
    for account in (owner, supporter):
        assert account.username not in detail.content.decode()
        assert account.username not in page
        assert account.reporter.pseudonym not in detail.content.decode()
        assert account.reporter.pseudonym not in page
    assert "· Pelapor" in page
