"""Creating clocks (set-based) and recomputing them from the event log."""

from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from apps.reports.models import Report, ReportEvent
from apps.routing.models import Category
from apps.sla import clocks
from apps.sla.models import (
    AreaFreeze,
    SlaClock,
    SlaPolicy,
    SlaSweepState,
    WorkCalendar,
    default_pause_statuses,
    default_warning_points,
)
from apps.sla.selectors import (
    area_freeze_pauses_for_report,
    calendar_snapshot_for,
    policy_for_category,
)
from apps.sla.services.calendars import work_calendar_default

STATUS_KINDS = (ReportEvent.Kind.CREATED, ReportEvent.Kind.STATUS)


def _default_pause_statuses() -> list[str]:
    """The model's default pause statuses as plain strings (JSON rules and SQL parameters)."""
    return [str(status) for status in default_pause_statuses()]


def _rules_from(policy: SlaPolicy | None) -> dict[str, Any]:
    if policy is None:
        return {
            "pause_statuses": _default_pause_statuses(),
            "warning_points": default_warning_points(),
            "include_cuti_bersama": True,
        }
    return {
        "pause_statuses": list(policy.pause_statuses),
        "warning_points": sorted(policy.warning_points),
        "include_cuti_bersama": policy.include_cuti_bersama,
    }


def _policy_terms(
    *, category: Category, calendar: WorkCalendar
) -> tuple[SlaPolicy | None, int, str, dict[str, Any]]:
    policy = policy_for_category(category=category, calendar=calendar)
    if policy is None:
        return None, category.sla_days, SlaPolicy.Unit.CALENDAR_DAYS, _rules_from(None)
    return policy, policy.target, policy.unit, _rules_from(policy)


def _changes_for(report_id: int) -> list[clocks.StatusChange]:
    rows = ReportEvent.objects.filter(report_id=report_id, kind__in=STATUS_KINDS).values_list(
        "pk", "created_at", "to_status"
    )
    return [clocks.StatusChange(event_id=pk, at=at, to_status=to) for pk, at, to in rows if to]


@transaction.atomic
def sla_clock_recompute(
    *, report: Report, reapply_policy: bool = False, now: datetime | None = None
) -> SlaClock:
    """(Re)compute the clock of ``report`` from its event log; creates it if missing.

    The clock keeps the target and rules it started with; ``reapply_policy=True`` (a manager's
    decision) takes the category's current policy instead. Breaches already recorded stay.
    """
    now = now or timezone.now()
    report = Report.objects.select_related("category").get(pk=report.pk)
    clock = SlaClock.objects.select_for_update().filter(report=report).first()
    calendar = work_calendar_default()
    if clock is None or reapply_policy or not clock.rules:
        policy, target, unit, rules = _policy_terms(category=report.category, calendar=calendar)
        policy_version = policy.version if policy else 0
        if policy is not None:
            calendar = policy.calendar
    else:
        policy = clock.policy
        target, unit, rules = clock.target, clock.unit, clock.rules
        policy_version = clock.policy_version
        if policy is not None:
            calendar = policy.calendar
    snapshot = calendar_snapshot_for(
        calendar=calendar, include_cuti_bersama=bool(rules.get("include_cuti_bersama", True))
    )
    result = clocks.compute_clock(
        started_at=report.created_at,
        changes=_changes_for(report.pk),
        target=target,
        unit=unit,
        pause_statuses=rules.get("pause_statuses", []),
        warning_points=rules.get("warning_points", []),
        calendar_snapshot=snapshot,
        extra_pauses=area_freeze_pauses_for_report(report_id=report.pk),
    )
    state = SlaClock.State.MERGED if report.parent_id else result.state
    upcoming = [t for t in result.warning_times if t > now]
    values: dict[str, Any] = {
        "policy": policy,
        "policy_version": policy_version,
        "calendar_version": snapshot.version,
        "target": target,
        "unit": unit,
        "rules": rules,
        "state": state,
        "cycle": result.cycle,
        "started_at": report.created_at,
        "due_at": result.due_at,
        "paused_intervals": result.intervals,
        "stopped_at": result.stopped_at,
        "warning_points": result.warning_points,
        "warning_times": result.warning_times,
        "next_warning_at": min(upcoming) if upcoming else None,
        "events_seen_id": result.events_seen_id,
        "computed_at": now,
    }
    if clock is None:
        return SlaClock.objects.create(report=report, **values)
    for key, value in values.items():
        setattr(clock, key, value)
    clock.save()
    return clock


def table_name(model: Any) -> str:
    """A model's table name, for the raw SQL of the clock and the sweep services."""
    return str(model._meta.db_table)


def sla_clocks_create_missing(*, now: datetime) -> int:
    """Create the clocks of reports that have none, in one INSERT ... SELECT.

    Calendar-day clocks of reports without status changes are complete at once; the others
    (working days, or a status already changed) are marked ``events_seen_id = -1`` and
    computed in Python by ``sla_clocks_refresh``. Merged children get no clock.
    """
    calendar = work_calendar_default()
    sql = f"""
        INSERT INTO {table_name(SlaClock)} (
            report_id, policy_id, policy_version, calendar_version, target, unit, rules,
            state, cycle, started_at, due_at, paused_intervals, stopped_at, breached_at,
            warning_points, warning_times, next_warning_at, events_seen_id, computed_at)
        SELECT r.id, p.id, COALESCE(p.version, 0), COALESCE(pc.version, %(cal_version)s),
               t.target, t.unit,
               jsonb_build_object(
                   'pause_statuses', to_jsonb(COALESCE(p.pause_statuses,
                                                       %(default_pauses)s::text[])),
                   'warning_points', to_jsonb(t.points),
                   'include_cuti_bersama', COALESCE(p.include_cuti_bersama, true)),
               'running', 1, r.created_at,
               CASE WHEN t.simple THEN r.created_at + make_interval(days => t.target) END,
               '[]'::jsonb, NULL, NULL,
               CASE WHEN t.simple THEN t.points ELSE '{{}}'::smallint[] END,
               CASE WHEN t.simple THEN w.times ELSE '{{}}'::timestamptz[] END,
               CASE WHEN t.simple THEN (SELECT min(x) FROM unnest(w.times) x WHERE x > %(now)s)
               END,
               CASE WHEN t.simple THEN 0 ELSE -1 END,
               %(now)s
        FROM {table_name(Report)} r
        JOIN {table_name(Category)} cat ON cat.id = r.category_id
        LEFT JOIN LATERAL (
            SELECT * FROM {table_name(SlaPolicy)} sp
            WHERE sp.category_id = r.category_id
               OR (sp.category_id IS NULL AND sp.calendar_id = %(calendar)s)
            ORDER BY sp.category_id NULLS LAST LIMIT 1
        ) p ON true
        LEFT JOIN {table_name(WorkCalendar)} pc ON pc.id = p.calendar_id
        CROSS JOIN LATERAL (
            SELECT COALESCE(p.target, cat.sla_days) AS target,
                   COALESCE(p.unit, 'calendar_days') AS unit,
                   COALESCE((SELECT array_agg(x ORDER BY x) FROM unnest(p.warning_points) x),
                            CASE WHEN p.id IS NULL THEN %(default_points)s::smallint[]
                                 ELSE '{{}}'::smallint[] END) AS points,
                   COALESCE(p.unit, 'calendar_days') = 'calendar_days'
                   AND NOT EXISTS (
                       SELECT 1 FROM {table_name(ReportEvent)} e
                       WHERE e.report_id = r.id AND e.kind = 'status')
                   AND (NOT %(any_freeze)s OR NOT EXISTS (
                       SELECT 1 FROM {table_name(AreaFreeze)} f
                       WHERE f.ends_at > r.created_at
                         AND ST_Covers(f.area::geography, r.location))) AS simple
        ) t
        CROSS JOIN LATERAL (
            SELECT COALESCE(array_agg(r.created_at + make_interval(secs => t.target * 864.0 * x)
                                      ORDER BY x), '{{}}') AS times
            FROM unnest(t.points) x
        ) w
        WHERE r.parent_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM {table_name(SlaClock)} c WHERE c.report_id = r.id)
        ON CONFLICT (report_id) DO NOTHING
    """  # noqa: S608 - table names come from our models; values are parameters
    with connection.cursor() as cursor:
        params: dict[str, Any] = {
            "now": now,
            "calendar": calendar.pk,
            "cal_version": calendar.version,
            # without any freeze the planner folds the freeze check away
            "any_freeze": AreaFreeze.objects.exists(),
            "default_pauses": _default_pause_statuses(),
            "default_points": default_warning_points(),
        }
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def sla_clocks_refresh(*, now: datetime, settle_seconds: int) -> int:
    """Recompute the clocks whose reports changed status since they were computed.

    Reads status events after the sweep's watermark; the watermark only advances past
    events older than ``settle_seconds``, so a transaction that commits late is still seen.
    Returns how many clocks were recomputed.
    """
    state, _created = SlaSweepState.objects.get_or_create(pk=1)
    events, clock_table, report_table = (
        table_name(ReportEvent),
        table_name(SlaClock),
        table_name(Report),
    )
    sql = f"""
        SELECT DISTINCT c.report_id FROM {events} e
        JOIN {clock_table} c ON c.report_id = e.report_id
        WHERE e.id > %(mark)s AND e.kind = 'status' AND e.id > c.events_seen_id
          AND c.state <> 'merged'
        UNION
        SELECT c.report_id FROM {clock_table} c WHERE c.events_seen_id < 0
        UNION
        SELECT c.report_id FROM {report_table} r JOIN {clock_table} c ON c.report_id = r.id
        WHERE r.parent_id IS NOT NULL AND c.state <> 'merged'
    """  # noqa: S608 - table names come from our models
    settle = f"""
        SELECT max(id) FROM {events}
        WHERE id > %(mark)s AND created_at < %(now)s - make_interval(secs => %(settle)s)
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, {"mark": state.event_watermark})
        report_ids = sorted(row[0] for row in cursor.fetchall())
        cursor.execute(
            settle, {"mark": state.event_watermark, "now": now, "settle": settle_seconds}
        )
        new_mark = cursor.fetchone()[0]
    for report_id in report_ids:
        sla_clock_recompute(report=Report(pk=report_id), now=now)
    if new_mark is not None:
        SlaSweepState.objects.filter(pk=1, event_watermark__lt=new_mark).update(
            event_watermark=new_mark
        )
    return len(report_ids)
