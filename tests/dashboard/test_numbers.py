"""The dashboard's numbers against the hand-counted fixture (tests/dashboard/factories.py)."""

from datetime import date

import pytest

from apps.dashboard import selectors
from apps.dashboard.models import ClusterCell
from apps.dashboard.services import dashboard_refresh
from apps.routing.models import Area
from tests.dashboard.factories import GAMBIR, NOW, TEBET_TIMUR, UNIT_A, UNIT_B, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> object:
    built = build_world()
    assert dashboard_refresh(now=NOW).refreshed
    return built


def test_city_numbers_equal_the_hand_count(world: object) -> None:
    city = selectors.summary_for(area=None)
    assert city == selectors.Summary(
        reports=6,  # g1-g5, t1 (g6 is June, g7 merged)
        public_reports=4,
        private_reports=2,
        open_now=3,  # g4, g5, g6
        completed=4,
        on_time=3,  # g1, g2, t1
        missed=2,  # g3 breached, g4 overdue
        median_hours=25.0,  # of 10, 20, 30, 40
    )
    assert city.on_time_pct == 60.0


def test_kelurahan_numbers_and_the_minimum_for_a_share(world: object) -> None:
    gambir = selectors.summary_for(area=Area.objects.get(code=GAMBIR))
    assert (gambir.reports, gambir.public_reports, gambir.private_reports) == (5, 3, 2)
    assert (gambir.open_now, gambir.completed, gambir.on_time, gambir.missed) == (3, 3, 2, 2)
    assert gambir.median_hours == 20.0
    assert gambir.on_time_pct is None  # 4 decided reports: under the minimum of 5
    tebet = selectors.summary_for(area=Area.objects.get(code=TEBET_TIMUR))
    assert (tebet.reports, tebet.on_time, tebet.missed, tebet.median_hours) == (1, 1, 0, 40.0)


def test_weekly_trend_counts_each_monday_week(world: object) -> None:
    trend = selectors.weekly_trend(area=None, now=NOW)
    assert len(trend) == 12
    counts = {row.week.date(): row.summary.reports for row in trend if row.summary.reports}
    assert counts == {
        date(2026, 6, 15): 1,  # g6
        date(2026, 6, 29): 4,  # g1-g4
        date(2026, 7, 6): 1,  # t1 (g7 merged)
        date(2026, 7, 13): 1,  # g5
    }
    assert trend[-1].week.date() == date(2026, 7, 13)


def test_top_categories_and_units(world: object, monkeypatch: pytest.MonkeyPatch) -> None:
    assert [(c.code, c.summary.reports) for c in selectors.top_categories(area=None)] == [
        ("banjir", 5),
        ("lainnya", 1),
    ]
    units = {u.code: (u.summary.reports, u.summary.on_time, u.summary.missed) for u in
             selectors.units_for(area=None)}  # fmt: skip
    assert units == {UNIT_A: (3, 2, 1), UNIT_B: (3, 1, 1)}
    # Under the minimum no unit is ranked ...
    assert selectors.units_ranked(area=None) == ([], [])
    # ... and with a minimum of 2 the best and the lowest are told apart.
    monkeypatch.setattr(selectors, "MIN_OUTCOMES", 2)
    best, worst = selectors.units_ranked(area=None, limit=1)
    assert [(u.code, u.summary.on_time_pct) for u in best] == [(UNIT_A, 66.7)]
    assert [(u.code, u.summary.on_time_pct) for u in worst] == [(UNIT_B, 50.0)]


def test_clusters_count_open_public_reports_only_at_every_zoom(world: object) -> None:
    for zoom in selectors.CLUSTER_ZOOMS:
        cells = ClusterCell.objects.filter(zoom=zoom)
        assert sum(c.count for c in cells) == 2, zoom  # g4 and g6; g5 is private
    viewport = selectors.Viewport(zoom=16, bbox=(106.81, -6.18, 106.83, -6.17))
    points = {(lon, lat) for lon, lat, _n in selectors.clusters_in(viewport=viewport)}
    assert points == {(106.8195, -6.178), (106.825, -6.176)}


def test_public_points_are_public_exact_and_unmerged(world: object) -> None:
    points = selectors.public_points_for(area=Area.objects.get(code=GAMBIR), now=NOW)
    names = {p["id"] for p in points}
    r = world.reports  # type: ignore[attr-defined]
    assert names == {r[n].public_id for n in ("g1", "g2", "g4", "g6")}


def test_the_map_carries_every_kelurahan_with_its_values(world: object) -> None:
    features = selectors.city_map()["features"]
    assert len(features) == 267
    props = {f["properties"]["c"]: f["properties"] for f in features}
    assert props[GAMBIR] == {"c": GAMBIR, "m": "Gambir", "o": 3, "t": None, "n": 5}
    assert props[TEBET_TIMUR]["o"] == 0
    assert props[TEBET_TIMUR]["n"] == 1


def test_a_second_refresh_replaces_the_counts(world: object) -> None:
    before = selectors.summary_for(area=None)
    assert dashboard_refresh(now=NOW).refreshed
    assert selectors.summary_for(area=None) == before
