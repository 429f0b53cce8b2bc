"""The sweep: set-based clock creation, warnings and breaches once, notifications, concurrency."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from apps.accounts.models import Agency
from apps.core.messaging import MemoryPushBackend
from apps.core.models import OutboxMessage
from apps.identity.models import Reporter
from apps.reports.models import Report
from apps.sla import services
from apps.sla.models import SlaBreach, SlaClock, SlaWarning
from tests.factories import staff_in
from tests.sla.factories import event, make_report

JKT = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 7, 6, 9, 0, tzinfo=JKT)  # Monday


def _agency() -> Agency:
    agency = Agency.objects.filter(is_active=True).exclude(code__contains="TRIASE").first()
    assert agency is not None
    return agency


@pytest.mark.django_db
def test_sweep_records_each_breach_and_warning_once_and_notifies(
    django_capture_on_commit_callbacks: pytest.FixtureRequest,
) -> None:
    agency = _agency()
    officer = staff_in(agency.code, username="petugas-a")
    staff_in(agency.code, role="supervisor", username="pengawas-a")
    staff_in(agency.code, role="head", username="kepala-a")
    late = make_report(created_at=T0, agency=agency, assignee=officer)
    on_time = make_report(created_at=T0, agency=agency)
    event(report=on_time, at=T0 + timedelta(days=2), to_status="proses")
    event(report=on_time, at=T0 + timedelta(days=3), to_status="selesai")
    fresh = make_report(created_at=T0 + timedelta(days=5), agency=agency)
    child = make_report(created_at=T0, agency=agency)
    Report.objects.filter(pk=child.pk).update(parent=late)
    now = T0 + timedelta(days=6, hours=1)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        first = services.sla_sweep(now=now)
    assert (first.clocks_created, first.breaches) == (3, 1)
    # the count printed by `sla_sweep` is the rows inserted (issue #17: it said 17 for 11)
    assert first.notifications == OutboxMessage.objects.count() == 3
    assert not SlaClock.objects.filter(report=child).exists()
    breach = SlaBreach.objects.get()
    assert (breach.report_id, breach.cycle, breach.due_at, breach.agency_id, breach.rule) == (
        late.pk,
        1,
        T0 + timedelta(days=6),
        agency.pk,
        "holder_at_deadline",
    )
    assert SlaClock.objects.get(report=late).breached_at == T0 + timedelta(days=6)
    assert SlaClock.objects.get(report=on_time).state == "stopped"
    # fresh is 1 hour into its 6 days: no warning; late is past due, so it breaches instead.
    assert sorted(SlaWarning.objects.values_list("clock__report_id", "point")) == []
    keys = set(OutboxMessage.objects.values_list("dedup_key", flat=True))
    assert keys == {
        f"sla:breach:{breach.pk}:petugas-a",
        f"sla:breach:{breach.pk}:pengawas-a",
        f"sla:breach:{breach.pk}:kepala-a",
    }
    assert sorted(m["to"] for m in MemoryPushBackend.outbox) == [
        "kepala-a",
        "pengawas-a",
        "petugas-a",
    ]
    assert all(late.public_id in m["body"] for m in MemoryPushBackend.outbox)

    counts = (SlaBreach.objects.count(), SlaWarning.objects.count(), OutboxMessage.objects.count())
    again = services.sla_sweep(now=now)
    assert (again.clocks_created, again.breaches, again.warnings, again.notifications) == (
        0,
        0,
        0,
        0,
    )
    assert (
        SlaBreach.objects.count(),
        SlaWarning.objects.count(),
        OutboxMessage.objects.count(),
    ) == counts
    assert fresh.pk in set(SlaClock.objects.values_list("report_id", flat=True))


@pytest.mark.django_db
def test_warnings_fire_at_50_and_80_percent_once() -> None:
    agency = _agency()
    staff_in(agency.code, role="supervisor", username="pengawas-w")
    report = make_report(created_at=T0, agency=agency)
    services.sla_sweep(now=T0 + timedelta(minutes=1))
    half = services.sla_sweep(now=T0 + timedelta(days=3, minutes=1))
    assert half.warnings == 1
    eighty = services.sla_sweep(now=T0 + timedelta(days=5))
    assert eighty.warnings == 1
    assert services.sla_sweep(now=T0 + timedelta(days=5, minutes=1)).warnings == 0
    assert sorted(SlaWarning.objects.values_list("clock__report_id", "point", "at")) == [
        (report.pk, 50, T0 + timedelta(days=3)),
        (report.pk, 80, T0 + timedelta(days=4.8)),
    ]
    assert OutboxMessage.objects.filter(dedup_key__startswith="sla:warning:").count() == 2


@pytest.mark.django_db
def test_a_status_change_seen_by_the_sweep_prevents_the_breach() -> None:
    report = make_report(created_at=T0)
    services.sla_sweep(now=T0 + timedelta(minutes=1))
    event(report=report, at=T0 + timedelta(days=1), to_status="menunggu_info_pelapor")
    result = services.sla_sweep(now=T0 + timedelta(days=7))
    assert (result.clocks_recomputed, result.breaches) == (1, 0)
    assert SlaClock.objects.get(report=report).state == "paused"


@pytest.mark.django_db
def test_a_follow_up_after_the_deadline_still_breaches_when_no_sweep_saw_it_running() -> None:
    # The sweep last ran before the deadline; the ticket is completed an hour late, and the
    # next sweep sees it stopped. The late completion must not escape its breach.
    report = make_report(created_at=T0)
    services.sla_sweep(now=T0 + timedelta(minutes=1))
    event(report=report, at=T0 + timedelta(days=6, hours=1), to_status="selesai")
    result = services.sla_sweep(now=T0 + timedelta(days=6, hours=2))
    assert result.breaches == 1
    clock = SlaClock.objects.get(report=report)
    assert (clock.state, clock.breached_at) == ("stopped", T0 + timedelta(days=6))
    assert SlaBreach.objects.get().due_at == T0 + timedelta(days=6)
    assert services.sla_sweep(now=T0 + timedelta(days=7)).breaches == 0


@pytest.mark.django_db
def test_pausing_after_the_deadline_does_not_undo_the_breach() -> None:
    report = make_report(created_at=T0)
    services.sla_sweep(now=T0 + timedelta(minutes=1))
    event(report=report, at=T0 + timedelta(days=6, hours=1), to_status="menunggu_info_pelapor")
    result = services.sla_sweep(now=T0 + timedelta(days=6, hours=2))
    assert result.breaches == 1
    assert SlaClock.objects.get(report=report).state == "paused"


@pytest.mark.django_db
def test_a_follow_up_before_the_deadline_never_breaches() -> None:
    report = make_report(created_at=T0)
    event(report=report, at=T0 + timedelta(days=5), to_status="selesai")
    assert services.sla_sweep(now=T0 + timedelta(days=8)).breaches == 0
    assert SlaBreach.objects.count() == 0


@pytest.mark.django_db
def test_sla_sweep_command_runs() -> None:
    make_report(created_at=T0)
    from io import StringIO

    out = StringIO()
    call_command("sla_sweep", stdout=out)
    assert "breaches 1" in out.getvalue()
    assert SlaBreach.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_record_each_breach_once() -> None:
    reports = [make_report(created_at=T0 - timedelta(days=n % 3)) for n in range(40)]
    now = T0 + timedelta(days=7)
    results: list[services.SweepResult] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait()
            results.append(services.sla_sweep(now=now, batch_size=7))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    assert sum(r.breaches for r in results) == 40
    assert SlaBreach.objects.count() == 40
    assert sorted(SlaBreach.objects.values_list("report_id", flat=True)) == sorted(
        r.pk for r in reports
    )
    assert services.sla_sweep(now=now).breaches == 0
    assert SlaBreach.objects.count() == 40
    # This test commits: remove what the flush of the listed apps does not reach.
    reporter_ids = [r.reporter_id for r in reports]
    SlaBreach.objects.all().delete()
    SlaClock.objects.all().delete()
    Report.objects.filter(pk__in=[r.pk for r in reports]).delete()
    Reporter.objects.filter(pk__in=reporter_ids).delete()


@pytest.mark.django_db
def test_set_based_clock_creation_agrees_with_the_python_computation() -> None:
    report = make_report(created_at=T0 + timedelta(minutes=7, microseconds=123))
    assert services.sla_clocks_create_missing(now=T0) == 1
    made = SlaClock.objects.get(report=report)
    fields = ("due_at", "warning_points", "warning_times", "next_warning_at", "target", "rules")
    sql_values = [getattr(made, name) for name in fields]
    again = services.sla_clock_recompute(report=report, now=T0)
    assert [getattr(again, name) for name in fields] == sql_values
    assert (made.events_seen_id, made.state) == (0, "running")


@pytest.mark.django_db
def test_the_notification_count_is_the_rows_inserted(django_capture_on_commit_callbacks) -> None:
    """A supervisor who is also the assignee is one recipient, not two; the count printed
    by `sla_sweep` matches the outbox rows (issue #17: "notifications 17" for 11 rows)."""
    agency = _agency()
    supervisor = staff_in(agency.code, role="supervisor", username="pengawas-d")
    late = make_report(created_at=T0, agency=agency, assignee=supervisor)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        result = services.sla_sweep(now=T0 + timedelta(days=6, hours=1))
    assert result.breaches == 1
    assert result.notifications == OutboxMessage.objects.count() == 1
    assert [m["to"] for m in MemoryPushBackend.outbox] == ["pengawas-d"]
    assert late.public_id in MemoryPushBackend.outbox[0]["body"]
