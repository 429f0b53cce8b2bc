"""generate_demo_data: realistic history through the real sweep and ledger; --if-empty."""

import io
import itertools
import time

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F

from apps.performance.models import ScoreEvent
from apps.reports.models import Custody, Report, ReportEvent
from apps.routing.models import Area
from apps.sla.models import SlaBreach, SlaClock

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_demo_data", *args, stdout=out)
    return out.getvalue()


def test_small_history_is_consistent_and_swept() -> None:
    started = time.perf_counter()
    output = _run("--reports", "60", "--days", "30", "--seed", "7")
    assert time.perf_counter() - started < 20
    assert "60 reports" in output
    assert Report.objects.count() == 60
    # every point lies inside its kelurahan
    for report in Report.objects.select_related("area"):
        area = Area.objects.filter(pk=report.area_id, boundary__covers=report.location).exists()
        assert area, report.public_id
    # the last status event is the report's status; created first
    for report in Report.objects.all():
        events = list(ReportEvent.objects.filter(report=report).order_by("created_at", "pk"))
        assert events[0].kind == "created"
        status_events = [e for e in events if e.kind in ("created", "status")]
        assert status_events[-1].to_status == report.status
        intervals = list(Custody.objects.filter(report=report).order_by("started_at", "pk"))
        for before, after in itertools.pairwise(intervals):
            assert before.ended_at is not None
            assert before.ended_at <= after.started_at
        open_ones = [c for c in intervals if c.ended_at is None]
        assert len(open_ones) == (0 if report.status in Report.CLOSED_STATUSES else 1)
        if open_ones:
            assert open_ones[0].agency_id == report.agency_id
    statuses = dict(Report.objects.values_list("status").annotate(n=Count("id")))
    assert statuses.get("dikonfirmasi", 0) > 0
    assert sum(statuses.get(s, 0) for s in Report.OPEN_STATUSES) > 0
    assert ReportEvent.objects.filter(kind="transferred").exists()
    assert ReportEvent.objects.filter(kind="rating").exists()
    assert SlaClock.objects.count() == 60
    assert SlaBreach.objects.exists()
    overdue_open = Report.objects.filter(
        status__in=sorted(Report.OPEN_STATUSES), sla_clock__breached_at__isnull=False
    )
    assert overdue_open.exists()
    assert (
        ScoreEvent.objects.filter(kind="breach").count()
        == SlaBreach.objects.filter(provisional=False).count()
    )
    assert ScoreEvent.objects.filter(kind="on_time").exists()
    # created in the past, spread over the period
    assert not Report.objects.filter(created_at__gt=F("updated_at")).exists()


def test_if_empty_does_nothing_when_reports_exist() -> None:
    _run("--reports", "5", "--days", "10")
    assert "no demo data generated" in _run("--reports", "5", "--days", "10", "--if-empty")
    assert Report.objects.count() == 5


@pytest.mark.parametrize(
    "args", [["--reports", "0", "--days", "5"], ["--reports", "5", "--days", "0"]]
)
def test_bad_arguments_are_refused(args: list[str]) -> None:
    with pytest.raises(CommandError):
        _run(*args)
    assert Report.objects.count() == 0
