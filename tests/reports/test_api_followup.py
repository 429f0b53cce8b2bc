"""After the follow-up: confirm, reopen, support, messages, and the reporter's inbox."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation
from kombu.exceptions import OperationalError
from rest_framework.test import APIClient

from apps.core import outbox
from apps.core.messaging import MemoryPushBackend
from apps.core.models import OutboxMessage
from apps.identity.models import InboxMessage, Reporter
from apps.reports.models import Custody, Report, ReportEvent, ReportMessage, ReportSupport
from apps.reports.services import report_message_send, report_support
from tests.factories import staff_in
from tests.reports.conftest import client_for
from tests.reports.factories import citizen, complete, file_report
from tests.reports.transitions import report_transition

pytestmark = pytest.mark.django_db


def url(report: Report, action: str) -> str:
    return f"/api/v1/reports/{report.public_id}/{action}/"


def snapshot(report: Report) -> tuple[Any, ...]:
    report.refresh_from_db()
    return (
        report.status,
        report.rating,
        report.agency_id,
        report.completed_at,
        report.closed_at,
        report.events.count(),
        Custody.objects.filter(report=report).count(),
        OutboxMessage.objects.count(),
    )


# ---- confirm --------------------------------------------------------------------------------


def test_reporter_confirms_a_completed_report(
    reporter: Reporter, reporter_client: APIClient
) -> None:
    report = complete(file_report(reporter=reporter).report)
    response = reporter_client.post(
        url(report, "confirm"), {"rating": 4, "comment": "Cepat"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["rating"]) == ("dikonfirmasi", 4)
    report.refresh_from_db()
    assert (report.status, report.rating, report.rating_comment) == ("dikonfirmasi", 4, "Cepat")
    assert report.closed_at is not None
    last = report.events.order_by("-pk")[:2]
    assert [(e.kind, e.visibility) for e in last] == [("rating", "internal"), ("status", "public")]
    assert last[1].from_status == "selesai"
    assert last[1].to_status == "dikonfirmasi"


def test_confirm_from_the_wrong_status_names_both_statuses(
    reporter: Reporter, reporter_client: APIClient
) -> None:
    report = file_report(reporter=reporter).report
    before = snapshot(report)
    response = reporter_client.post(url(report, "confirm"), {"rating": 5}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "invalid_transition"
    assert (error["current"], error["requested"]) == ("menunggu", "dikonfirmasi")
    assert "menunggu" in error["message"]
    assert "dikonfirmasi" in error["message"]
    assert snapshot(report) == before


@pytest.mark.parametrize("rating", [0, 6, "lima", None, 4.5])
def test_confirm_needs_a_rating_from_1_to_5(
    reporter: Reporter, reporter_client: APIClient, rating: Any
) -> None:
    report = complete(file_report(reporter=reporter).report)
    before = snapshot(report)
    body = {} if rating is None else {"rating": rating}
    response = reporter_client.post(url(report, "confirm"), body, format="json")
    assert response.status_code == 400
    assert "rating" in response.json()["error"]["fields"]
    assert snapshot(report) == before


def test_only_the_reporter_may_confirm_or_reopen(api_client: APIClient) -> None:
    report = complete(file_report(reporter=citizen()).report)
    before = snapshot(report)
    stranger = client_for(citizen().user)
    officer = client_for(staff_in(report.agency.code))
    for client in (stranger, officer):
        assert client.post(url(report, "confirm"), {"rating": 5}, format="json").status_code == 404
        response = client.post(url(report, "reopen"), {"reason": "x"}, format="json")
        assert response.status_code == 404
    assert api_client.post(url(report, "confirm"), {"rating": 5}).status_code == 401
    assert snapshot(report) == before


# ---- reopen ---------------------------------------------------------------------------------


def test_reopen_sends_the_report_back_to_the_completing_unit(
    reporter: Reporter, reporter_client: APIClient
) -> None:
    report = file_report(reporter=reporter).report
    unit = report.agency
    officer = staff_in(unit.code)
    report_transition(report=report, to=Report.Status.PROSES, actor=officer)
    report_transition(report=report, to=Report.Status.SELESAI, actor=officer, note="Beres")
    assert Custody.objects.get(report=report).ended_at is not None

    response = reporter_client.post(
        url(report, "reopen"), {"reason": "Masih tergenang"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "dibuka_kembali"
    report.refresh_from_db()
    assert (report.status, report.agency_id, report.assignee) == (
        "dibuka_kembali",
        unit.pk,
        officer,
    )
    assert report.completed_at is None
    intervals = list(Custody.objects.filter(report=report).order_by("started_at"))
    assert len(intervals) == 2
    assert (intervals[1].agency_id, intervals[1].officer, intervals[1].ended_at) == (
        unit.pk,
        officer,
        None,
    )
    event = report.events.order_by("-pk").first()
    assert event is not None
    assert (event.kind, event.from_status, event.to_status, event.visibility) == (
        "status",
        "selesai",
        "dibuka_kembali",
        "public",
    )
    assert event.data == {"by": "reporter", "reason": "Masih tergenang", "back_to": unit.code}


def test_reopen_goes_back_to_the_completing_unit_even_if_it_moved(
    reporter: Reporter, reporter_client: APIClient
) -> None:
    from apps.accounts.models import Agency

    report = file_report(reporter=reporter).report
    unit = report.agency
    complete(report)
    Report.objects.filter(pk=report.pk).update(agency=Agency.objects.get(code="BPBD"))
    response = reporter_client.post(url(report, "reopen"), {"reason": "Belum"}, format="json")
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.agency_id == unit.pk
    assert report.events.filter(kind="transferred", visibility="internal").count() == 1


def test_reopen_after_14_days_is_refused(reporter: Reporter, reporter_client: APIClient) -> None:
    report = complete(file_report(reporter=reporter).report)
    Report.objects.filter(pk=report.pk).update(
        completed_at=timezone.now() - timedelta(days=14, minutes=1)
    )
    before = snapshot(report)
    response = reporter_client.post(url(report, "reopen"), {"reason": "Belum"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "reopen_window_closed"
    assert snapshot(report) == before


def test_reopen_from_the_wrong_status_and_without_a_reason(
    reporter: Reporter, reporter_client: APIClient
) -> None:
    report = file_report(reporter=reporter).report
    before = snapshot(report)
    response = reporter_client.post(url(report, "reopen"), {"reason": "Belum"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["current"] == "menunggu"
    assert response.json()["error"]["requested"] == "dibuka_kembali"
    complete(report)
    before = snapshot(report)
    for body in ({}, {"reason": ""}, {"reason": "x\x00"}, {"reason": "x" * 1001}):
        response = reporter_client.post(url(report, "reopen"), body, format="json")
        assert response.status_code == 400
    assert snapshot(report) == before


def test_confirmed_reports_cannot_be_reopened(
    reporter: Reporter, reporter_client: APIClient
) -> None:
    report = complete(file_report(reporter=reporter).report)
    reporter_client.post(url(report, "confirm"), {"rating": 5}, format="json")
    response = reporter_client.post(url(report, "reopen"), {"reason": "Eh"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["current"] == "dikonfirmasi"


# ---- support --------------------------------------------------------------------------------


def test_support_counts_once_per_reporter(reporter: Reporter, reporter_client: APIClient) -> None:
    report = file_report(reporter=citizen()).report
    first = reporter_client.post(url(report, "support"))
    assert first.status_code == 201
    assert first.json() == {"id": report.public_id, "support_count": 1, "supported": True}
    again = reporter_client.post(url(report, "support"))
    assert again.status_code == 200
    assert again.json()["support_count"] == 1
    client_for(citizen().user).post(url(report, "support"))
    assert APIClient().get(f"/api/v1/reports/{report.public_id}/").json()["support_count"] == 2
    assert ReportSupport.objects.filter(report=report).count() == 2
    assert report.events.filter(kind="support", visibility="internal").count() == 2


def test_support_refusals(reporter: Reporter, reporter_client: APIClient) -> None:
    own = file_report(reporter=reporter).report
    private = file_report(reporter=citizen(), is_public=False).report
    public = file_report(reporter=citizen()).report
    response = reporter_client.post(url(own, "support"))
    assert (response.status_code, response.json()["error"]["code"]) == (409, "own_report")
    assert reporter_client.post(url(private, "support")).status_code == 404
    assert APIClient().post(url(public, "support")).status_code == 401
    staff = client_for(staff_in("BPBD")).post(url(public, "support"))
    assert (staff.status_code, staff.json()["error"]["code"]) == (403, "not_a_reporter")
    assert ReportSupport.objects.count() == 0
    assert Report.objects.filter(support_count__gt=0).count() == 0


# ---- messages -------------------------------------------------------------------------------


def test_reporter_replies_and_reads_the_thread(
    reporter: Reporter, reporter_client: APIClient
) -> None:
    report = file_report(reporter=reporter).report
    officer = staff_in(report.agency.code)
    report_message_send(
        report=report, author=officer, body="Mohon foto tambahan", direction="to_reporter"
    )
    response = reporter_client.post(url(report, "messages"), {"body": "Sudah saya kirim"})
    assert response.status_code == 201
    assert response.json()["direction"] == "from_reporter"
    assert response.json()["body"] == "Sudah saya kirim"
    stored = ReportMessage.objects.get(direction="from_reporter")
    assert (stored.author, stored.report_id) == (reporter.user, report.pk)
    assert report.events.filter(kind="message", visibility="internal").count() == 2

    thread = reporter_client.get(url(report, "messages")).json()
    assert thread["count"] == 2
    assert [(m["direction"], m["body"]) for m in thread["results"]] == [
        ("to_reporter", "Mohon foto tambahan"),
        ("from_reporter", "Sudah saya kirim"),
    ]
    assert thread["results"][0]["unit"] == {"code": report.agency.code, "name": report.agency.name}
    assert "author" not in thread["results"][0]


def test_messages_of_someone_elses_report_are_404(reporter_client: APIClient) -> None:
    report = file_report(reporter=citizen()).report  # public, but the thread is private
    assert reporter_client.get(url(report, "messages")).status_code == 404
    assert reporter_client.post(url(report, "messages"), {"body": "hai"}).status_code == 404
    assert ReportMessage.objects.count() == 0


@pytest.mark.parametrize("body", ["", "   ", "a\x00b", "x" * 2001])
def test_bad_messages_are_refused(
    reporter: Reporter, reporter_client: APIClient, body: str
) -> None:
    report = file_report(reporter=reporter).report
    response = reporter_client.post(url(report, "messages"), {"body": body}, format="json")
    assert response.status_code == 400
    assert ReportMessage.objects.count() == 0


# ---- the inbox, through the outbox ----------------------------------------------------------


def test_status_changes_and_officer_messages_reach_the_inbox_once(
    reporter: Reporter, django_capture_on_commit_callbacks: Any
) -> None:
    translation.activate("id")  # notifications are written in the reporter's language
    with django_capture_on_commit_callbacks(execute=True):
        report = file_report(reporter=reporter).report
    with django_capture_on_commit_callbacks(execute=True):
        report_transition(report=report, to=Report.Status.PROSES, actor=None, note="Diproses")
    with django_capture_on_commit_callbacks(execute=True):
        report_message_send(
            report=report,
            author=staff_in(report.agency.code),
            body="Kapan?",
            direction="to_reporter",
        )
    with django_capture_on_commit_callbacks(execute=True):
        report_message_send(
            report=report, author=reporter.user, body="Besok", direction="from_reporter"
        )

    inbox = list(InboxMessage.objects.filter(reporter=reporter).order_by("created_at", "pk"))
    assert [(m.kind, m.report_public_id) for m in inbox] == [
        ("status", report.public_id),
        ("status", report.public_id),
        ("message", report.public_id),
    ]
    assert inbox[0].title == f"Laporan {report.public_id}: Menunggu"
    assert (inbox[1].title, inbox[1].body) == (f"Laporan {report.public_id}: Proses", "Diproses")
    assert inbox[2].title == f"Pesan baru tentang laporan {report.public_id}"
    assert inbox[2].body == "Kapan?"
    assert len(MemoryPushBackend.outbox) == 3
    assert OutboxMessage.objects.filter(delivered_at__isnull=True).count() == 0

    # Delivering every message again changes nothing.
    for message in OutboxMessage.objects.all():
        assert outbox.deliver(message_id=message.pk) is False
    assert InboxMessage.objects.filter(reporter=reporter).count() == 3
    assert len(MemoryPushBackend.outbox) == 3


def test_internal_events_do_not_notify(reporter: Reporter) -> None:
    report = file_report(reporter=reporter).report
    before = OutboxMessage.objects.count()
    report_message_send(report=report, author=reporter.user, body="Halo", direction="from_reporter")
    report_support(report=report, reporter=citizen())
    assert OutboxMessage.objects.count() == before


def test_relay_delivers_once_after_the_broker_failed(
    reporter: Reporter, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    from apps.core import tasks

    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("redis is down")  # what kombu raises for an unreachable broker

    monkeypatch.setattr(tasks.outbox_deliver, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        report = file_report(reporter=reporter).report
    pending = OutboxMessage.objects.get(handler="apps.identity.services.inbox_deliver")
    assert pending.delivered_at is None
    assert InboxMessage.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.relay() == 2  # the inbox message (which queues its push), CCTV linking
    assert MemoryPushBackend.outbox == []  # the broker is still down: the push waits too
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.relay() == 1  # the push
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.relay() == 0
        assert outbox.deliver(message_id=pending.pk) is False
    inbox = InboxMessage.objects.get()
    assert (inbox.reporter_id, inbox.report_public_id, inbox.kind) == (
        reporter.pk,
        report.public_id,
        "status",
    )
    assert inbox.dedup_key == f"report:{report.public_id}:event:created"
    assert len(MemoryPushBackend.outbox) == 1


def test_anonymous_reports_queue_no_inbox_messages(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = file_report(reporter=None).report
        complete(report)
    # Only the CCTV linking (docs/cctv.md) is queued: nobody to notify.
    assert list(OutboxMessage.objects.values_list("handler", flat=True)) == [
        "apps.reports.evidence.report_link_clips"
    ]
    assert ReportEvent.objects.filter(report=report).count() == 3
