"""Idempotency under real concurrency: 50 simultaneous requests with one key, one report.

These tests commit for real (``transaction=True``), so each thread sees the others' rows.
The flush that follows a transactional test empties every table; ``tests/conftest.py``
(``_reference_data_after_flush``) reloads the areas and the catalogue before the next one.
"""

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.identity.models import Reporter
from apps.reports.models import Custody, Report, ReportEvent
from apps.reports.services import report_support
from tests.reports.conftest import client_for
from tests.reports.factories import citizen, file_report, report_body

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 50


def run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released at the same instant."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except Exception as exc:  # noqa: BLE001 - reported to the test as a value
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_fifty_concurrent_requests_with_one_key_make_one_report(settings: Any) -> None:
    # The subject is idempotency, not the anonymous filing limits (tests/security): fifty
    # requests from one device would otherwise meet the per-device limit, depending on how
    # the threads interleave with the limit's counter.
    settings.REPORT_ANON_RATE_PER_DEVICE = settings.REPORT_ANON_RATE_PER_ADDRESS = "1000/hour"
    body = report_body(description="Banjir di depan stasiun")

    def post(_index: int) -> tuple[int, dict[str, Any]]:
        response = APIClient().post(
            "/api/v1/reports/", body, format="json", HTTP_X_DEVICE_ID="device-5e2b7c10"
        )
        return response.status_code, response.json()

    results = run_together(THREADS, post)
    assert not [r for r in results if isinstance(r, Exception)]
    statuses = Counter(status for status, _body in results)
    assert statuses == {201: 1, 200: THREADS - 1}
    ids = {payload["id"] for _status, payload in results}
    assert len(ids) == 1
    with_code = [payload for _status, payload in results if "tracking_code" in payload]
    assert len(with_code) == 1  # the tracking code is shown once, to the winner
    report = Report.objects.get()
    assert report.public_id in ids
    assert ReportEvent.objects.filter(report=report).count() == 1
    assert Custody.objects.filter(report=report).count() == 1
    # The losers' anonymous pseudonyms were rolled back with their attempts.
    assert Reporter.objects.filter(reports__isnull=True, user__isnull=True).count() == 0


def test_concurrent_supports_count_once_each() -> None:
    report = file_report(reporter=citizen()).report
    supporters = [citizen() for _ in range(10)]
    clients = [client_for(s.user) for s in supporters]  # type: ignore[arg-type]

    def support(index: int) -> int:
        return clients[index % 10].post(f"/api/v1/reports/{report.public_id}/support/").status_code

    results = run_together(20, support)  # every supporter twice, all at once
    assert Counter(results) == {201: 10, 200: 10}
    report.refresh_from_db()
    assert report.support_count == 10
    report_support(report=report, reporter=supporters[0])
    report.refresh_from_db()
    assert report.support_count == 10
