"""Clocks derived from the event log: pauses, stops, reopen, transfers, merges, policies."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from apps.reports.models import Report, ReportEvent
from apps.routing.models import Category
from apps.sla import services
from apps.sla.deadlines import SlaConfigurationError
from apps.sla.models import SlaClock, SlaPolicy
from tests.sla.factories import event, make_report

pytestmark = pytest.mark.django_db
JKT = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 7, 6, 9, 0, tzinfo=JKT)  # Monday


def test_new_clock_is_six_calendar_days_with_warnings() -> None:
    report = make_report(created_at=T0)
    clock = services.sla_clock_recompute(report=report, now=T0)
    assert (clock.state, clock.cycle, clock.due_at, clock.unit, clock.target) == (
        "running",
        1,
        T0 + timedelta(days=6),
        "calendar_days",
        6,
    )
    assert clock.warning_points == [50, 80]
    assert clock.warning_times == [T0 + timedelta(days=3), T0 + timedelta(days=4.8)]


def test_waiting_for_the_reporter_pauses_and_resumes() -> None:
    report = make_report(created_at=T0)
    event(report=report, at=T0 + timedelta(days=1), to_status="menunggu_info_pelapor")
    paused = services.sla_clock_recompute(report=report, now=T0 + timedelta(days=2))
    assert (paused.state, paused.due_at) == ("paused", None)
    event(report=report, at=T0 + timedelta(days=3), to_status="proses")
    clock = services.sla_clock_recompute(report=report, now=T0 + timedelta(days=3))
    assert (clock.state, clock.due_at) == ("running", T0 + timedelta(days=8))
    assert clock.paused_intervals == [
        {
            "from": (T0 + timedelta(days=1)).isoformat(),
            "to": (T0 + timedelta(days=3)).isoformat(),
            "reason": "menunggu_info_pelapor",
        }
    ]


def test_completion_stops_and_reopen_resumes_with_the_time_left() -> None:
    report = make_report(created_at=T0)
    event(report=report, at=T0 + timedelta(hours=1), to_status="proses")
    event(report=report, at=T0 + timedelta(days=2), to_status="selesai")
    stopped = services.sla_clock_recompute(report=report, now=T0 + timedelta(days=3))
    assert (stopped.state, stopped.stopped_at, stopped.due_at) == (
        "stopped",
        T0 + timedelta(days=2),
        None,
    )
    event(report=report, at=T0 + timedelta(days=5), to_status="dibuka_kembali")
    clock = services.sla_clock_recompute(report=report, now=T0 + timedelta(days=5))
    # Four days were left at completion; they run again from the reopen.
    assert (clock.state, clock.cycle, clock.due_at) == ("running", 2, T0 + timedelta(days=9))


def test_transfers_never_reset_the_clock() -> None:
    report = make_report(created_at=T0)
    before = services.sla_clock_recompute(report=report, now=T0).due_at
    event(report=report, at=T0 + timedelta(days=1), to_status="koordinasi")
    event(report=report, at=T0 + timedelta(days=2), to_status="disposisi")
    ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.TRANSFERRED)
    assert services.sla_clock_recompute(report=report, now=T0).due_at == before


def test_recompute_gives_the_same_answer_and_merged_children_do_not_count() -> None:
    parent = make_report(created_at=T0)
    child = make_report(created_at=T0 + timedelta(hours=2))
    first = services.sla_clock_recompute(report=parent, now=T0)
    again = services.sla_clock_recompute(report=parent, now=T0)
    assert (again.pk, again.due_at, again.warning_times) == (
        first.pk,
        first.due_at,
        first.warning_times,
    )
    Report.objects.filter(pk=child.pk).update(parent=parent)
    assert services.sla_clock_recompute(report=child, now=T0).state == "merged"


def test_policy_edit_applies_to_new_clocks_until_recomputed_on_request() -> None:
    category = Category.objects.get(code="banjir")
    report = make_report(created_at=T0)
    old = services.sla_clock_recompute(report=report, now=T0)
    policy = services.sla_policy_save(category=category, target=3, unit="working_days")
    assert policy.version == 1
    policy = services.sla_policy_save(category=category, target=2, unit="working_days")
    assert policy.version == 2
    kept = services.sla_clock_recompute(report=report, now=T0)
    assert (kept.target, kept.due_at) == (6, old.due_at)
    moved = services.sla_clock_recompute(report=report, reapply_policy=True, now=T0)
    assert (moved.target, moved.unit, moved.policy_version) == (2, "working_days", 2)
    assert moved.due_at == datetime(2026, 7, 8, 23, 59, 59, 999999, tzinfo=JKT)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"target": 0}, "target"),
        ({"target": -1}, "target"),
        ({"target": 6, "unit": "hours"}, "unit"),
        ({"target": 6, "warning_points": [0, 120]}, "warning_points"),
        ({"target": 6, "pause_statuses": ["selesai"]}, "pause_statuses"),
    ],
)
def test_bad_policies_are_refused_and_change_nothing(kwargs: dict, field: str) -> None:
    count = SlaPolicy.objects.count()
    with pytest.raises(SlaConfigurationError) as caught:
        services.sla_policy_save(category=None, **kwargs)
    assert caught.value.status == 400
    assert list(caught.value.fields) == [field]
    assert SlaPolicy.objects.count() == count


def test_policy_form_validation_reports_the_field() -> None:
    from django.core.exceptions import ValidationError

    policy = SlaPolicy(calendar=services.work_calendar_default(), target=0, unit="calendar_days")
    with pytest.raises(ValidationError) as caught:
        policy.full_clean()
    assert "target" in caught.value.message_dict
    assert SlaClock.objects.count() == 0
