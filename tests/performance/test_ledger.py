"""The ledger, monthly snapshots and appeals, counted by hand on a small July 2026 fixture."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.core.errors import ApplicationError, Conflict, Forbidden
from apps.performance import services
from apps.performance.formula import Counts, score_for
from apps.performance.models import Appeal, PerformanceMonth, ScoreEvent, ScoreSnapshot
from tests.performance.factories import build_world, manager

pytestmark = pytest.mark.django_db
JKT = ZoneInfo("Asia/Jakarta")
JULY = date(2026, 7, 1)
AUGUST_5 = datetime(2026, 8, 5, 9, tzinfo=JKT)


def _kinds(**filters: object) -> dict[str, int]:
    out: dict[str, int] = {}
    for kind in ScoreEvent.objects.filter(**filters).values_list("kind", flat=True):
        out[kind] = out.get(kind, 0) + 1
    return out


def test_ledger_sync_records_each_source_once_and_charges_the_right_people() -> None:
    world = build_world()
    first = services.performance_ledger_sync(now=AUGUST_5)
    assert (first.breaches, first.on_time, first.reopens, first.ratings) == (2, 5, 1, 2)
    again = services.performance_ledger_sync(now=AUGUST_5)
    assert (again.breaches, again.on_time, again.reopens, again.ratings) == (0, 0, 0, 0)
    assert ScoreEvent.objects.count() == 10
    assert _kinds(officer=world.officer) == {"breach": 2, "on_time": 5, "reopen": 1, "rating": 2}
    assert _kinds(agency=world.unit) == {"breach": 2, "on_time": 5, "reopen": 1, "rating": 2}
    assert set(ScoreEvent.objects.values_list("period", flat=True)) == {JULY}
    late = ScoreEvent.objects.get(report=world.late, kind="breach")
    assert (late.points, late.note) == (-1, "holder_at_deadline")


def test_formula_and_too_few_tickets() -> None:
    assert score_for(Counts(tickets=4, on_time=4)) is None
    counts = Counts(tickets=7, on_time=5, breaches=2, reopens=1, ratings=2, rating_sum=7)
    assert score_for(counts) == Decimal("59.6")
    assert score_for(Counts(tickets=5, on_time=0, breaches=5)) == Decimal("0.0")


def test_month_close_freezes_snapshots_with_the_formula_version() -> None:
    world = build_world()
    month = services.performance_month_close(period=JULY, actor=manager(), now=AUGUST_5)
    assert (month.period, month.formula_version) == (JULY, 1)
    snap = ScoreSnapshot.objects.get(period=JULY, officer=world.officer)
    assert (snap.tickets, snap.on_time, snap.breaches, snap.reopens, snap.ratings) == (
        7,
        5,
        2,
        1,
        2,
    )
    # 100 * (5 - 1) / 7 + 5 * (7 / 2 - 3) = 57.14 + 2.5
    assert snap.score == Decimal("59.6")
    unit = ScoreSnapshot.objects.get(period=JULY, agency=world.unit)
    assert (unit.tickets, unit.rating_sum, unit.score) == (7, 7, Decimal("59.6"))
    with pytest.raises(Conflict):
        services.performance_month_close(period=JULY, actor=manager(), now=AUGUST_5)
    assert ScoreSnapshot.objects.filter(period=JULY).count() == 2


def test_month_not_ended_or_not_a_manager_is_refused_and_changes_nothing() -> None:
    build_world()
    with pytest.raises(ApplicationError) as err:
        services.performance_month_close(
            period=JULY, actor=manager(), now=datetime(2026, 7, 31, 23, tzinfo=JKT)
        )
    assert err.value.status == 400
    with pytest.raises(Forbidden):
        services.performance_month_close(period=JULY, actor=build_world().officer, now=AUGUST_5)
    assert (PerformanceMonth.objects.count(), ScoreSnapshot.objects.count()) == (0, 0)


def test_appeal_on_an_open_month_is_400_and_an_upheld_one_adds_an_adjustment() -> None:
    world = build_world()
    services.performance_ledger_sync(now=AUGUST_5)
    entry = ScoreEvent.objects.get(report=world.late, kind="breach")
    with pytest.raises(ApplicationError) as err:
        services.appeal_submit(score_event=entry, officer=world.officer, reason="Banjir besar")
    assert err.value.status == 400
    assert Appeal.objects.count() == 0

    boss = manager()
    services.performance_month_close(period=JULY, actor=boss, now=AUGUST_5)
    frozen = list(ScoreSnapshot.objects.order_by("pk").values())
    appeal = services.appeal_submit(
        score_event=entry, officer=world.officer, reason="Akses tertutup banjir"
    )
    with pytest.raises(Conflict):
        services.appeal_submit(score_event=entry, officer=world.officer, reason="lagi")
    with pytest.raises(Forbidden):
        services.appeal_decide(appeal=appeal, manager=world.officer, upheld=True, note="")
    decided = services.appeal_decide(
        appeal=appeal, manager=boss, upheld=True, note="Force majeure", now=AUGUST_5
    )
    assert decided.status == "upheld"
    adjustment = ScoreEvent.objects.get(source="appeal")
    assert (adjustment.kind, adjustment.count, adjustment.points, adjustment.period) == (
        "breach",
        -1,
        1,
        date(2026, 8, 1),
    )
    assert ScoreEvent.objects.get(pk=entry.pk).count == 1  # history untouched
    assert list(ScoreSnapshot.objects.order_by("pk").values()) == frozen
    with pytest.raises(Conflict):
        services.appeal_decide(appeal=appeal, manager=boss, upheld=False, note="")
    assert ScoreEvent.objects.filter(source="appeal").count() == 1


def test_only_the_charged_officer_may_appeal() -> None:
    from apps.core.errors import NotFound

    world = build_world()
    services.performance_month_close(period=JULY, actor=manager(), now=AUGUST_5)
    entry = ScoreEvent.objects.get(report=world.late, kind="breach")
    with pytest.raises(NotFound):
        services.appeal_submit(score_event=entry, officer=manager(), reason="bukan saya")
    assert Appeal.objects.count() == 0


def test_month_close_of_a_month_whose_end_cannot_be_represented_is_a_400() -> None:
    with pytest.raises(ApplicationError) as caught:
        services.performance_month_close(period=date(9999, 12, 1), actor=manager())
    assert (caught.value.status, caught.value.fields) == (
        400,
        {"period": ["Give a month from 2000-01 to 9999-11."]},
    )
    assert PerformanceMonth.objects.count() == 0
