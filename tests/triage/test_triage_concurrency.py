"""Two officers acting on one ticket at the same moment: one wins, the other gets a 409."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from apps.core.errors import ApplicationError
from apps.reports.models import Custody, Report, ReportEvent
from apps.triage import services
from tests.triage.triage_helpers import BINA_MARGA_JAKPUS, SDA_JAKSEL, agency, officer, ticket

pytestmark = pytest.mark.django_db(transaction=True)


def _race(actions: list[Callable[[], object]]) -> list[object]:
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = actions[i]()
        except Exception as exc:  # noqa: BLE001 - reported to the test as a value
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_officers_start_at_once_one_wins_the_other_gets_409():
    report = ticket()
    a, b = officer(), officer()
    results = _race(
        [
            lambda: services.report_start(
                report=Report.objects.get(pk=report.pk), actor=a, note="A"
            ),
            lambda: services.report_start(
                report=Report.objects.get(pk=report.pk), actor=b, note="B"
            ),
        ]
    )
    assert not [
        r for r in results if isinstance(r, Exception) and not isinstance(r, ApplicationError)
    ], results
    errors = [r for r in results if isinstance(r, ApplicationError)]
    assert len(errors) == 1
    assert errors[0].status == 409
    assert errors[0].code == "invalid_transition"
    report.refresh_from_db()
    assert report.status == Report.Status.PROSES
    assert report.events.filter(kind=ReportEvent.Kind.STATUS, to_status="proses").count() == 1
    assert Custody.objects.filter(report=report, ended_at__isnull=True).count() == 1


def test_koordinasi_races_a_rejection_nothing_half_done():
    report = ticket()
    a, b = officer(), officer()
    results = _race(
        [
            lambda: services.report_koordinasi(
                report=Report.objects.get(pk=report.pk),
                actor=a,
                to_agency=agency(BINA_MARGA_JAKPUS),
                reason="Jalan",
            ),
            lambda: services.report_reject(
                report=Report.objects.get(pk=report.pk), actor=b, reason_code="spam"
            ),
        ]
    )
    assert not [
        r for r in results if isinstance(r, Exception) and not isinstance(r, ApplicationError)
    ], results
    errors = [r for r in results if isinstance(r, ApplicationError)]
    assert len(errors) == 1
    assert errors[0].status == 409
    report.refresh_from_db()
    transfers = report.events.filter(kind=ReportEvent.Kind.TRANSFERRED).count()
    if report.status == Report.Status.DITOLAK:
        assert (transfers, report.agency.code) == (0, "DINAS-SDA-31.71")
    else:
        assert (report.status, transfers, report.agency.code) == (
            Report.Status.KOORDINASI,
            1,
            BINA_MARGA_JAKPUS,
        )
    assert report.events.filter(kind=ReportEvent.Kind.STATUS).count() == 1  # the winner's


def test_two_disposisi_at_once_leave_one_transfer():
    report = ticket(at="DINAS-SDA")
    a, b = officer("DINAS-SDA"), officer("DINAS-SDA")
    results = _race(
        [
            lambda: services.report_disposisi(
                report=Report.objects.get(pk=report.pk), actor=a, to_agency=agency(SDA_JAKSEL)
            ),
            lambda: services.report_disposisi(
                report=Report.objects.get(pk=report.pk),
                actor=b,
                to_agency=agency("DINAS-SDA-31.72"),
            ),
        ]
    )
    assert not [
        r for r in results if isinstance(r, Exception) and not isinstance(r, ApplicationError)
    ], results
    errors = [r for r in results if isinstance(r, ApplicationError)]
    assert len(errors) == 1
    assert errors[0].status == 409
    report.refresh_from_db()
    assert report.events.filter(kind=ReportEvent.Kind.TRANSFERRED).count() == 1
    assert Custody.objects.filter(report=report).count() == 2
