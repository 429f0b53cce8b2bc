"""The monthly manager report over 1,000,000 tickets.

Run: ``python -m bench performance_report`` (or ``python -m bench.performance_report``),
against the development database (``make setup`` loaded the areas, units and categories).

Everything happens inside ONE transaction that is rolled back at the end. In it:

1. ``bench.sla_sweep.build_tickets`` inserts 1,000,000 open tickets with custody and clocks
   (10,000 past due); a third of them are then completed (``selesai``, 2-100 hours after
   filing), one in fifty of those completed, reopened and completed again (status events,
   so the sweep recomputes their clocks: cycle 2) and one in four rated, and ``sla_sweep``
   records the 10,000 breaches, so every column of the report has real work to do;
2. a manager (``manager`` group) asks for the report of the last 30 days, grouped by unit
   (one aggregate query: counts with filters, two ``percentile_cont``, backlog buckets, the
   breach and reopen ``EXISTS``), then by kelurahan (2,600+ groups), each timed three times
   (the best is reported, the first run warms the cache);
3. baseline, measured in the same run: a plain ``COUNT(*)`` of the same tickets (same period
   and filters); the report time is printed as a multiple of it.

Target (docs/performance.md): the report under 1 s.
"""

import os
import sys
import time
from datetime import timedelta
from typing import Any

TOTAL = 1_000_000
RUNS = 3


class _Rollback(Exception):
    """Raised to leave the benchmark's transaction without committing anything."""


COMPLETE_SQL = """
UPDATE reports_report r
SET status = 'selesai', completed_at = r.created_at + ((r.id %% 98) + 2) * interval '1 hour',
    rating = CASE WHEN r.id %% 4 = 0 THEN 1 + (r.id %% 5) END
WHERE r.reporter_id = %(reporter)s AND r.id %% 3 = 1
"""

REOPEN_SQL = """
INSERT INTO reports_reportevent (report_id, kind, from_status, to_status, actor_id, agency_id,
                                 visibility, note, data, created_at)
SELECT r.id, 'status', s.from_status, s.to_status, NULL, NULL, 'public', '', '{}'::jsonb,
       r.completed_at + s.after
FROM reports_report r,
     (VALUES ('proses', 'selesai', interval '0'),
             ('selesai', 'dibuka_kembali', interval '1 hour'),
             ('dibuka_kembali', 'selesai', interval '2 hours')) AS s(from_status, to_status, after)
WHERE r.reporter_id = %(reporter)s AND r.id %% 3 = 1 AND r.id %% 50 = 1
"""


def _best(work: Any) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def _explain(manager: Any, scope: Any, start: Any, end: Any, now: Any) -> None:
    """``BENCH_EXPLAIN=1``: print the plan of the report query (for tuning)."""
    from apps.performance import selectors

    queryset = selectors.performance_report_queryset(
        user=manager, scope=scope, start=start, end=end, grouping="unit", now=now
    )
    with selectors._big_read():  # the same settings the report runs with
        print(queryset.explain(analyze=True, buffers=True))


def main() -> dict[str, Any]:
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.accounts.roles import OrgRole
    from apps.performance import selectors
    from apps.reports.models import Report
    from apps.sla.services import sla_sweep
    from bench.sla_sweep import build_tickets

    now = timezone.now()
    start, end = now - timedelta(days=30), now + timedelta(seconds=1)
    summary: dict[str, Any] = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            reporter = build_tickets(total=TOTAL, due_every=100, now=now)
            with connection.cursor() as cursor:
                cursor.execute(COMPLETE_SQL, {"reporter": reporter})
                completed = cursor.rowcount
                cursor.execute(REOPEN_SQL, {"reporter": reporter})
                reopened = cursor.rowcount // 3
            sweep = sla_sweep(now=now)
            with connection.cursor() as cursor:
                for table in ("reports_report", "reports_reportevent", "sla_slaclock"):
                    cursor.execute(f"ANALYZE {table}")
            print(
                f"built {TOTAL:,} tickets ({completed:,} completed, {reopened:,} reopened, "
                f"{sweep.breaches:,} breaches) in {time.perf_counter() - started:.1f} s "
                "(inside a transaction, rolled back)",
                flush=True,
            )
            manager = User.objects.create(username=f"bench-manager-{now.timestamp():.0f}")
            manager.is_staff = True
            manager.save(update_fields=["is_staff"])
            group, _created = Group.objects.get_or_create(name=OrgRole.MANAGER.value)
            manager.groups.add(group)
            scope = selectors.report_scope_for_user(user=manager)

            count_s, count = _best(
                lambda: Report.objects.filter(
                    parent__isnull=True, created_at__gte=start, created_at__lt=end
                ).count()
            )
            print(f"baseline COUNT(*) of the same tickets: {count:,} in {count_s:.3f} s")
            results: dict[str, float] = {}
            for grouping in ("unit", "kelurahan"):
                seconds, rows = _best(
                    lambda g=grouping: selectors.performance_report(
                        user=manager, scope=scope, start=start, end=end, grouping=g, now=now
                    )
                )
                assert sum(r["tickets"] for r in rows) == count
                results[grouping] = seconds
                print(
                    f"report by {grouping}: {len(rows):,} rows over {count:,} tickets in "
                    f"{seconds:.3f} s = {seconds / count_s:.1f}x the COUNT(*) "
                    f"(target < 1 s: {'OK' if seconds < 1 else 'MISSED'})",
                    flush=True,
                )
            if os.environ.get("BENCH_EXPLAIN"):
                _explain(manager, scope, start, end, now)
            summary = {
                "tickets": count,
                "count_s": round(count_s, 3),
                "report_unit_s": round(results["unit"], 3),
                "report_kelurahan_s": round(results["kelurahan"], 3),
                "ratio_unit": round(results["unit"] / count_s, 1),
                "verdict": "OK" if max(results.values()) < 1 else "MISSED",
            }
            raise _Rollback
    except _Rollback:
        pass
    return summary


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    main()
    sys.exit(0)
