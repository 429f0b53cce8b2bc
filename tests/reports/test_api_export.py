"""GET /api/v1/me/export/: identity's export plus the citizen's own tickets (docs/privacy.md §6)."""

from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.identity import services as identity_services
from apps.reports.models import Report, ReportMessage
from apps.reports.services import report_confirm, report_message_send
from tests.conftest import TEBET_ECO_PARK
from tests.identity.factories import citizen as identity_citizen
from tests.reports.conftest import client_for
from tests.reports.factories import complete, file_report
from tests.triage.triage_helpers import officer

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/export/"


def _local(value: Any) -> str:
    return value.astimezone(timezone.get_current_timezone()).isoformat()


def test_export_holds_the_reporters_tickets_with_timeline_messages_and_rating() -> None:
    reporter = identity_citizen(name="Siti Rahayu")
    other = identity_citizen("+628129999999", name="Orang Lain")
    report = file_report(reporter=reporter, description="Saluran tersumbat").report
    unit_officer = officer()
    report_message_send(
        report=report, author=reporter.user, body="Makin tinggi", direction="from_reporter"
    )
    report_message_send(
        report=report, author=unit_officer, body="Kami menuju lokasi", direction="to_reporter"
    )
    report = report_confirm(report=complete(report), reporter=reporter, rating=4, comment="Cepat")
    second = file_report(reporter=reporter, location=TEBET_ECO_PARK).report
    file_report(reporter=other, description="Bukan milik Siti")

    response = client_for(reporter.user).get(URL, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"generated_at", "profile", "reveals", "inbox", "reports"}
    assert body["profile"]["name"] == "Siti Rahayu"
    assert [r["id"] for r in body["reports"]] == [report.public_id, second.public_id]
    first = body["reports"][0]
    report.refresh_from_db()
    unit = {"code": report.agency.code, "name": report.agency.name}
    assert {k: v for k, v in first.items() if k not in ("timeline", "messages")} == {
        "id": report.public_id,
        "category": {"code": "banjir", "name": "Flooding"},
        "status": "dikonfirmasi",
        "status_label": "Confirmed by the reporter",
        "created_at": _local(report.created_at),
        "description": "Saluran tersumbat",
        "location": {"lat": -6.1754, "lon": 106.8272},
        "address_hint": "",
        "area": {"code": "31.71.01.1001", "name": "Gambir"},
        "rating": 4,
        "rating_comment": "Cepat",
    }
    assert [(m["direction"], m["body"], m["unit"]) for m in first["messages"]] == [
        ("from_reporter", "Makin tinggi", unit),
        ("to_reporter", "Kami menuju lokasi", unit),
    ]
    assert [(e["kind"], e["to_status"]) for e in first["timeline"]] == [
        (e.kind, e.to_status or None)
        for e in report.events.filter(visibility="public").order_by("created_at", "pk")
    ]
    assert first["timeline"][0]["kind"] == "created"
    assert first["timeline"][-1]["to_status"] == "dikonfirmasi"
    assert "Bukan milik Siti" not in response.content.decode()
    assert unit_officer.username not in response.content.decode()
    assert body["reports"][1]["messages"] == []
    assert body["reports"][1]["rating"] is None


def test_internal_events_stay_out_of_the_export() -> None:
    reporter = identity_citizen()
    report = file_report(reporter=reporter).report
    report.events.create(kind="status", visibility="internal", note="Catatan internal petugas")

    body = client_for(reporter.user).get(URL).json()

    assert "Catatan internal petugas" not in str(body)
    assert [e["kind"] for e in body["reports"][0]["timeline"]] == ["created"]


def test_another_reporters_tickets_are_never_included() -> None:
    reporter = identity_citizen()
    other = identity_citizen("+628129999999")
    file_report(reporter=other)

    body = client_for(reporter.user).get(URL).json()

    assert body["reports"] == []
    assert Report.objects.count() == 1


def test_query_count_does_not_grow_with_tickets(
    django_assert_num_queries: Any, django_assert_max_num_queries: Any
) -> None:
    reporter = identity_citizen()
    client = client_for(reporter.user)
    file_report(reporter=reporter)
    with django_assert_max_num_queries(30) as few:
        client.get(URL)
    for _ in range(4):
        report = file_report(reporter=reporter).report
        report_message_send(
            report=report,
            author=reporter.user,
            body="x",
            direction=ReportMessage.Direction.FROM_REPORTER,
        )
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert len(response.json()["reports"]) == 5


def test_erased_reporter_and_staff_and_anonymous_get_no_export(api_client: APIClient) -> None:
    reporter = identity_citizen()
    file_report(reporter=reporter)
    client = client_for(reporter.user)
    identity_services.reporter_erase(reporter=reporter, actor=None)

    assert client.get(URL).status_code == 401  # the erasure deleted every token
    assert client_for(officer()).get(URL).status_code == 404
    assert api_client.get(URL).status_code == 401
    assert Report.objects.filter(reporter=reporter).count() == 1
