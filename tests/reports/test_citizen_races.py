"""A citizen's action racing an officer's transfer of the same ticket: 409 or success, never 500.

The officer's transfer (koordinasi to another unit) holds the row lock until the citizen's
request is seen waiting for it in ``pg_locks``; then it commits. The waiting request must
find the ticket as it now is (moved), not lose it: a lock that joined related rows made
PostgreSQL drop the moved row and the request fail with "does not exist".
"""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.reports.models import Report, ReportEvent, ReportMessage
from apps.triage import services as triage_services
from tests.reports.conftest import client_for
from tests.reports.factories import citizen, complete
from tests.reports.transitions import report_transition
from tests.triage.triage_helpers import BINA_MARGA_JAKPUS, SDA_JAKPUS, agency, officer, ticket

pytestmark = pytest.mark.django_db(transaction=True)

S = Report.Status
WAIT_SECONDS = 10


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _wait_until_blocked(pid: int) -> bool:
    """Poll (bounded) until backend ``pid`` waits for a lock; False if it never does."""
    deadline = time.monotonic() + WAIT_SECONDS
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted)", [pid]
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.005)
    return False


def _while_held(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any, bool]:
    """Run ``first`` in a transaction that stays open until ``second`` (another thread and
    connection) is blocked on a lock, then commit. Returns both results (an exception is a
    result) and whether ``second`` was seen waiting."""
    ready = threading.Event()
    pid_known = threading.Event()
    state: dict[str, Any] = {"blocked": False}

    def holder() -> None:
        try:
            with transaction.atomic():
                state["first"] = first()
                ready.set()
                pid_known.wait(WAIT_SECONDS)
                state["blocked"] = _wait_until_blocked(state["pid"])
        except Exception as exc:  # noqa: BLE001 - reported to the test as a value
            state["first"] = exc
        finally:
            ready.set()
            connection.close()

    def waiter() -> None:
        try:
            ready.wait(WAIT_SECONDS)
            state["pid"] = _backend_pid()
            pid_known.set()
            state["second"] = second()
        except Exception as exc:  # noqa: BLE001
            state["second"] = exc
        finally:
            pid_known.set()
            connection.close()

    threads = [threading.Thread(target=holder), threading.Thread(target=waiter)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return state.get("first"), state.get("second"), state["blocked"]


def _koordinasi(report: Report, actor: User) -> Report:
    return triage_services.report_koordinasi(
        report=Report.objects.get(pk=report.pk),
        actor=actor,
        to_agency=agency(BINA_MARGA_JAKPUS),
        reason="Saluran di bawah jalan",
    )


def _post(client: APIClient, url: str, body: dict[str, Any]) -> Any:
    response = client.post(url, body, format="json")  # a 500 would raise here
    return response.status_code, response.json()


def test_message_waiting_on_a_transfer_reaches_the_new_unit():
    reporter = citizen()
    report = ticket(reporter=reporter)
    client = client_for(reporter.user)
    moved, answer, blocked = _while_held(
        lambda: _koordinasi(report, officer()),
        lambda: _post(client, f"/api/v1/reports/{report.public_id}/messages/", {"body": "Masih"}),
    )
    assert blocked
    assert isinstance(moved, Report), moved
    assert answer[0] == 201, answer
    message = ReportMessage.objects.get(report=report)
    assert (message.body, message.agency.code) == ("Masih", BINA_MARGA_JAKPUS)


@pytest.mark.parametrize(
    ("action", "body", "requested"),
    [
        ("confirm", {"rating": 5, "comment": "Bagus"}, S.DIKONFIRMASI),
        ("reopen", {"reason": "Masih tergenang"}, S.DIBUKA_KEMBALI),
    ],
)
def test_confirm_or_reopen_waiting_on_a_transfer_is_a_409(
    action: str, body: dict[str, Any], requested: str
):
    reporter = citizen()
    report = ticket(reporter=reporter)
    report_transition(report=report, to=S.PROSES, actor=None, note="Diproses")
    client = client_for(reporter.user)
    moved, answer, blocked = _while_held(
        lambda: _koordinasi(report, officer()),
        lambda: _post(client, f"/api/v1/reports/{report.public_id}/{action}/", body),
    )
    assert blocked
    assert isinstance(moved, Report), moved
    assert answer[0] == 409, answer
    assert answer[1]["error"]["code"] == "invalid_transition"
    assert (answer[1]["error"]["current"], answer[1]["error"]["requested"]) == (
        S.KOORDINASI,
        requested,
    )
    report.refresh_from_db()
    assert (report.status, report.agency.code, report.rating) == (
        S.KOORDINASI,
        BINA_MARGA_JAKPUS,
        None,
    )


def test_transfer_waiting_on_a_confirm_is_a_409():
    reporter = citizen()
    report = complete(ticket(reporter=reporter))
    client = client_for(reporter.user)
    answer, moved, blocked = _while_held(
        lambda: _post(client, f"/api/v1/reports/{report.public_id}/confirm/", {"rating": 4}),
        lambda: _koordinasi(report, officer()),
    )
    assert blocked
    assert answer[0] == 200, answer
    assert getattr(moved, "status", None) == 409, moved
    assert getattr(moved, "code", None) == "invalid_transition"
    report.refresh_from_db()
    assert (report.status, report.agency.code, report.rating) == (S.DIKONFIRMASI, SDA_JAKPUS, 4)
    assert not ReportEvent.objects.filter(report=report, kind="transferred").exists()


def test_transfer_waiting_on_a_reopen_acts_on_the_reopened_ticket():
    reporter = citizen()
    report = complete(ticket(reporter=reporter))
    client = client_for(reporter.user)
    answer, moved, blocked = _while_held(
        lambda: _post(
            client, f"/api/v1/reports/{report.public_id}/reopen/", {"reason": "Masih tergenang"}
        ),
        lambda: _koordinasi(report, officer()),
    )
    assert blocked
    assert answer[0] == 200, answer
    assert isinstance(moved, Report), moved
    report.refresh_from_db()
    assert (report.status, report.agency.code) == (S.KOORDINASI, BINA_MARGA_JAKPUS)
    statuses = list(
        report.events.filter(kind="status")
        .order_by("created_at", "pk")
        .values_list("to_status", flat=True)
    )
    assert statuses[-2:] == [S.DIBUKA_KEMBALI, S.KOORDINASI]
