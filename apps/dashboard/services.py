"""The dashboard's one write: replace the pre-aggregated tables (docs/dashboard.md).

``dashboard_refresh`` runs from beat (``dashboard-refresh``) and from ``manage.py
refresh_dashboard``. Two ``INSERT … SELECT`` statements in one transaction (the counts: one
scan of the tickets; the map clusters: one scan of the open public ones); an advisory lock
makes a second run at the same time a no-op. When it commits, ``dashboard_warm_up`` builds
the new generation's city map data, so no visitor pays for it.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone, translation

from apps.dashboard import selectors
from apps.dashboard.models import DashboardRefresh
from apps.dashboard.selectors import (
    CLUSTER_ZOOMS,
    GENERATION_KEY,
    TREND_WEEKS,
    cluster_cell_degrees,
    month_start_of,
    week_start_of,
)
from apps.performance.selectors import JAKARTA
from apps.reports.models import Report

LOCK_ID = 0x4C57_4441  # "LWDA": one refresh at a time
REFRESH_WORK_MEM = "64MB"  # as the manager report (apps.performance.selectors)

# One row per ticket with the flags the aggregates count, computed in one scan of the tickets
# and read by both groupings below. The definitions are the manager report's
# (``apps.triage.selectors.outcome.report_outcome_filters``: completed, on time = followed up
# and never breached, missed = breached or still open past the deadline), written as two hash
# joins instead of ``id IN (subquery)`` per ticket: with 1,000,000 tickets the overdue set
# (600,000 ids) no longer fit a hashed sub-plan and PostgreSQL re-scanned it for every
# ticket, so the refresh never finished. ``bench/dashboard.py`` checks these numbers against
# the ORM definitions over the same tickets.
COUNTS_SQL = """
WITH t AS MATERIALIZED (
    SELECT r.area_id, r.category_id, r.agency_id, r.is_public,
           r.created_at >= %(month_start)s AS in_month,
           r.created_at >= %(first_week)s AS in_weeks,
           (r.status = ANY(%(open)s)) AS is_open,
           (r.completed_at IS NOT NULL) AS is_completed,
           (r.completed_at IS NOT NULL AND b.report_id IS NULL) AS is_on_time,
           (b.report_id IS NOT NULL OR (r.status = ANY(%(open)s) AND o.report_id IS NOT NULL))
               AS is_missed,
           EXTRACT(EPOCH FROM r.completed_at - r.created_at) / 3600.0 AS hours,
           date_trunc('week', (r.created_at AT TIME ZONE %(tz)s)::date::timestamp)::date AS week
    FROM reports_report r
    LEFT JOIN (SELECT DISTINCT report_id FROM sla_slabreach) b ON b.report_id = r.id
    LEFT JOIN (SELECT report_id FROM sla_slaclock
               WHERE due_at <= %(now)s AND breached_at IS NULL AND state <> 'stopped') o
           ON o.report_id = r.id
    WHERE r.parent_id IS NULL
      AND (r.created_at >= LEAST(%(month_start)s, %(first_week)s) OR r.status = ANY(%(open)s))
)
INSERT INTO dashboard_areastat (area_id, dimension, week, category_id, agency_id, reports,
    public_reports, private_reports, open_now, completed, on_time, missed, median_hours)
-- this month's tickets (and every open one) per kelurahan, category and unit
SELECT t.area_id,
       CASE WHEN GROUPING(t.category_id) = 0 THEN 'category'
            WHEN GROUPING(t.agency_id) = 0 THEN 'unit' ELSE 'total' END,
       NULL, t.category_id, t.agency_id,
       count(*) FILTER (WHERE t.in_month),
       count(*) FILTER (WHERE t.in_month AND t.is_public),
       count(*) FILTER (WHERE t.in_month AND NOT t.is_public),
       count(*) FILTER (WHERE t.is_open),
       count(*) FILTER (WHERE t.in_month AND t.is_completed),
       count(*) FILTER (WHERE t.in_month AND t.is_on_time),
       count(*) FILTER (WHERE t.in_month AND t.is_missed),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY t.hours)
           FILTER (WHERE t.in_month AND t.is_completed)
FROM t
WHERE t.in_month OR t.is_open
GROUP BY GROUPING SETS ((t.area_id), (), (t.area_id, t.category_id), (t.category_id),
                        (t.area_id, t.agency_id), (t.agency_id))
HAVING NOT (GROUPING(t.area_id) = 0 AND t.area_id IS NULL)
UNION ALL
-- the tickets of each of the last weeks, per kelurahan and city-wide
SELECT t.area_id, 'week', t.week, NULL, NULL, count(*),
       count(*) FILTER (WHERE t.is_public), count(*) FILTER (WHERE NOT t.is_public),
       count(*) FILTER (WHERE t.is_open), count(*) FILTER (WHERE t.is_completed),
       count(*) FILTER (WHERE t.is_on_time), count(*) FILTER (WHERE t.is_missed),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY t.hours) FILTER (WHERE t.is_completed)
FROM t
WHERE t.in_weeks
GROUP BY GROUPING SETS ((t.area_id, t.week), (t.week))
HAVING NOT (GROUPING(t.area_id) = 0 AND t.area_id IS NULL)
"""

# Cells nest: a cell at zoom z is 2 x 2 cells at z + 1, so the finest grid is counted once
# and the coarser ones are sums of it.
CLUSTER_SQL = """
WITH fine AS (
    SELECT floor(ST_X(r.location::geometry) / %(cell)s)::bigint AS ix,
           floor(ST_Y(r.location::geometry) / %(cell)s)::bigint AS iy,
           sum(ST_X(r.location::geometry)) AS sx, sum(ST_Y(r.location::geometry)) AS sy,
           count(*) AS n
    FROM reports_report r
    WHERE r.is_public AND r.parent_id IS NULL AND r.location_precision = 'exact'
      AND r.location IS NOT NULL AND r.status = ANY(%(open)s)
    GROUP BY 1, 2
)
INSERT INTO dashboard_clustercell (zoom, lon, lat, count)
SELECT z, sum(sx) / sum(n), sum(sy) / sum(n), sum(n)
FROM fine, generate_series(%(min_zoom)s, %(max_zoom)s) AS z
GROUP BY z, floor(ix / 2 ^ (%(max_zoom)s - z)), floor(iy / 2 ^ (%(max_zoom)s - z))
"""


@dataclass(frozen=True)
class RefreshResult:
    refreshed: bool
    rows: int
    cells: int
    took_ms: int


def counts_params(*, now: datetime) -> dict[str, Any]:
    """The parameters of ``COUNTS_SQL`` as of ``now``."""
    return {
        "now": now,
        "month_start": month_start_of(now),
        "first_week": week_start_of(now) - timedelta(weeks=TREND_WEEKS - 1),
        "open": sorted(Report.OPEN_STATUSES),
        "tz": str(JAKARTA),
    }


@transaction.atomic
def dashboard_refresh(*, now: datetime | None = None) -> RefreshResult:
    """Recount everything the dashboard shows, as of ``now`` (default: the clock)."""
    now = now or timezone.now()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_ID])
        if not cursor.fetchone()[0]:
            return RefreshResult(refreshed=False, rows=0, cells=0, took_ms=0)
        # No JIT (compiling costs more than it saves here); sorts for the medians in memory.
        cursor.execute(
            "SELECT set_config('jit', 'off', true), set_config('work_mem', %s, true)",
            [REFRESH_WORK_MEM],
        )
        month_start = month_start_of(now)
        cursor.execute("DELETE FROM dashboard_areastat")
        cursor.execute("DELETE FROM dashboard_clustercell")
        cursor.execute(COUNTS_SQL, counts_params(now=now))
        rows = cursor.rowcount
        cursor.execute(
            CLUSTER_SQL,
            {
                "cell": cluster_cell_degrees(max(CLUSTER_ZOOMS)),
                "open": sorted(Report.OPEN_STATUSES),
                "min_zoom": min(CLUSTER_ZOOMS),
                "max_zoom": max(CLUSTER_ZOOMS),
            },
        )
        cells = cursor.rowcount
    took_ms = round((time.perf_counter() - started) * 1000)
    DashboardRefresh.objects.update_or_create(
        pk=1, defaults={"refreshed_at": now, "month_start": month_start, "took_ms": took_ms}
    )
    # Cached pages and map data name the generation in their keys: a new one retires them,
    # and the warm-up builds the new generation's map data before a visitor asks for it.
    transaction.on_commit(lambda: cache.set(GENERATION_KEY, f"{now.timestamp():.6f}", None))
    transaction.on_commit(_enqueue_warm_up, robust=True)
    return RefreshResult(refreshed=True, rows=rows, cells=cells, took_ms=took_ms)


def _enqueue_warm_up() -> None:
    from apps.dashboard.tasks import dashboard_warm_up  # the task module imports this one

    dashboard_warm_up.delay()


def dashboard_warm_up() -> list[str]:
    """Build and cache, in every language of the site, what the first request after a refresh
    would otherwise build cold: the city's simplified kelurahan polygons with their
    values, and the encoded city map data. Returns the languages warmed."""
    warmed = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            selectors.city_map_json()
        warmed.append(code)
    return warmed
