"""The refresh at scale and the warm-up after it (docs/dashboard.md, "Pre-aggregation").

The hand-counted numbers are in test_numbers.py; here: the counts are one scan of the tickets
with the manager report's definitions, and a committed refresh leaves the city map built.
"""

import re
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.dashboard import selectors, services
from apps.dashboard.models import AreaStat
from apps.performance.selectors import ticket_outcome_filters
from apps.reports.models import Report
from tests.dashboard.factories import GAMBIR, NOW, build_world

pytestmark = pytest.mark.django_db

COUNTED = ("reports", "completed", "on_time", "missed")


@pytest.fixture
def world() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield build_world()


def test_the_counts_scan_the_tickets_once_without_a_sub_plan_per_ticket(world: Any) -> None:
    """With 1,000,000 tickets the overdue set no longer fit a hashed sub-plan and the refresh
    re-scanned it for every ticket (it never finished): the sets are joined instead."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + services.COUNTS_SQL, services.counts_params(now=NOW))
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "SubPlan" not in plan
    assert len(re.findall(r" on reports_report\b", plan)) == 1, plan


def _orm_counts(key: str) -> dict[Any, dict[str, int]]:
    """This month's counts per ``key`` with the manager report's definitions (the ORM's)."""
    f = ticket_outcome_filters(now=NOW)
    month = Report.objects.filter(
        parent__isnull=True, created_at__gte=selectors.month_start_of(NOW)
    ).exclude(**{f"{key}__isnull": True})
    rows = (
        month.values(key)
        .annotate(
            reports=Count("id"),
            completed=Count("id", filter=f["completed"]),
            on_time=Count("id", filter=f["on_time"]),
            missed=Count("id", filter=f["missed"]),
        )
        .order_by()
    )
    return {row.pop(key): row for row in rows}


@pytest.mark.parametrize(("dimension", "key"), [("total", "area_id"), ("unit", "agency_id")])
def test_the_refresh_counts_as_the_manager_report_defines(
    world: Any, dimension: str, key: str
) -> None:
    assert services.dashboard_refresh(now=NOW).refreshed
    stored = {
        row.pop(key): row
        for row in AreaStat.objects.filter(dimension=dimension, area__isnull=dimension == "unit")
        .filter(reports__gt=0)
        .values(key, *COUNTED)
    }
    expected = _orm_counts(key)
    assert expected  # the fixture has tickets this month
    assert stored == expected
    open_now = Report.objects.filter(parent__isnull=True).filter(
        ticket_outcome_filters(now=NOW)["open"]
    )
    assert selectors.summary_for(area=None).open_now == open_now.count() == 3


def test_a_committed_refresh_warms_the_city_map_in_every_language(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert services.dashboard_refresh(now=NOW).refreshed
    client = Client()
    for language in ("id", "en"):
        for url in ("/dashboard/peta.json", "/dashboard/"):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, (language, url)
            built = [q["sql"] for q in queries if "ST_SimplifyPreserveTopology" in q["sql"]]
            assert built == [], (language, url)  # the polygons were built before the request
        data = client.get("/dashboard/peta.json", HTTP_ACCEPT_LANGUAGE=language).json()
        gambir = next(f for f in data["features"] if f["properties"]["c"] == GAMBIR)
        assert gambir["properties"]["o"] == 3  # the new generation's numbers


def test_a_refresh_that_does_not_commit_warms_nothing(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.dashboard_refresh(now=NOW)
    assert len(callbacks) == 2  # name the generation, then warm it: only on commit
    with CaptureQueriesContext(connection) as queries:
        assert Client().get("/dashboard/peta.json").status_code == 200
    assert any("ST_SimplifyPreserveTopology" in q["sql"] for q in queries)
