"""The SLA sweep: set-based, exactly once in effect (docs/sla.md, "The sweep").

Each batch is one transaction that

1. takes ``pg_try_advisory_xact_lock`` (another sweep running: stop, it does the work),
2. claims due clocks with ``FOR UPDATE SKIP LOCKED``,
3. inserts their breaches (with attribution) under ``sla_breach_once_per_cycle`` with
   ``ON CONFLICT DO NOTHING``, and marks the clocks breached,
4. queues notifications as outbox rows whose dedup keys make them once-only.

Warnings work the same way under ``sla_warning_once_per_point``.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import Membership, User
from apps.core import outbox
from apps.reports.models import Custody, Report
from apps.sla.models import SlaBreach, SlaClock, SlaSweepState, SlaWarning
from apps.sla.services.attribution import breaches_apply_return_rule, triage_agency_id
from apps.sla.services.clock import sla_clocks_create_missing, sla_clocks_refresh, table_name

PUSH_HANDLER = "apps.core.messaging.push_send"
# Any constant unique to this job: pg advisory locks share one 64-bit key space.
SWEEP_LOCK_KEY = 0x5_1A_5EE9


@dataclass
class SweepResult:
    ran: bool = True
    clocks_created: int = 0
    clocks_recomputed: int = 0
    breaches: int = 0
    breaches_settled: int = 0
    warnings: int = 0
    notifications: int = 0


def _try_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SWEEP_LOCK_KEY])
        return bool(cursor.fetchone()[0])


BREACH_SQL = """
    WITH claimed AS (
        SELECT c.id, c.report_id, c.cycle, c.due_at FROM {clock} c
        WHERE c.breached_at IS NULL AND c.due_at <= %(now)s
          AND (c.state <> 'stopped' OR c.stopped_at > c.due_at)
          AND NOT EXISTS (SELECT 1 FROM {report} r
                          WHERE r.id = c.report_id AND r.parent_id IS NOT NULL)
        ORDER BY c.due_at, c.id
        LIMIT %(batch)s
        FOR UPDATE OF c SKIP LOCKED
    ), attributed AS (
        SELECT k.*, h.id AS holder_id, h.agency_id AS holder_agency_id,
               h.officer_id AS holder_officer_id, h.started_at AS holder_started_at,
               p.id AS prev_id, p.agency_id AS prev_agency_id, p.officer_id AS prev_officer_id
        FROM claimed k
        LEFT JOIN LATERAL (
            SELECT cu.id, cu.agency_id, cu.officer_id, cu.started_at FROM {custody} cu
            WHERE cu.report_id = k.report_id AND cu.started_at <= k.due_at
              AND (cu.ended_at IS NULL OR cu.ended_at > k.due_at)
            ORDER BY cu.started_at DESC, cu.id DESC LIMIT 1
        ) h ON true
        LEFT JOIN LATERAL (
            SELECT cu.id, cu.agency_id, cu.officer_id FROM {custody} cu
            WHERE cu.report_id = k.report_id AND cu.started_at <= k.due_at - %(grace)s
            ORDER BY cu.started_at DESC, cu.id DESC LIMIT 1
        ) p ON true
    ), decided AS (
        SELECT a.*, CASE
            WHEN a.holder_id IS NULL THEN 'triage_no_custody'
            WHEN a.holder_started_at <= a.due_at - %(grace)s THEN 'holder_at_deadline'
            WHEN a.prev_id IS NOT NULL THEN 'grace_pass_back'
            ELSE 'triage_before_routing' END AS rule
        FROM attributed a
    ), inserted AS (
        INSERT INTO {breach} (clock_id, report_id, cycle, due_at, agency_id, officer_id, rule,
                              custody_id, holder_agency_id, created_at)
        SELECT d.id, d.report_id, d.cycle, d.due_at,
               CASE d.rule WHEN 'holder_at_deadline' THEN d.holder_agency_id
                           WHEN 'grace_pass_back' THEN d.prev_agency_id
                           ELSE %(triage)s END,
               CASE d.rule WHEN 'holder_at_deadline' THEN d.holder_officer_id
                           WHEN 'grace_pass_back' THEN d.prev_officer_id END,
               d.rule,
               CASE d.rule WHEN 'holder_at_deadline' THEN d.holder_id
                           WHEN 'grace_pass_back' THEN d.prev_id END,
               d.holder_agency_id, %(now)s
        FROM decided d
        ON CONFLICT (clock_id, cycle) DO NOTHING
        RETURNING id, report_id, agency_id
    ), marked AS (
        UPDATE {clock} c SET breached_at = c.due_at
        FROM claimed k WHERE c.id = k.id
        RETURNING c.id
    )
    SELECT i.id, i.report_id, (SELECT count(*) FROM marked), i.agency_id
    FROM (SELECT 1) AS one LEFT JOIN inserted i ON true
"""

WARNING_SQL = """
    WITH claimed AS (
        SELECT c.id, c.cycle, c.warning_points, c.warning_times FROM {clock} c
        WHERE c.state = 'running' AND c.next_warning_at <= %(now)s
          AND c.breached_at IS NULL AND c.due_at > %(now)s
        ORDER BY c.next_warning_at, c.id
        LIMIT %(batch)s
        FOR UPDATE OF c SKIP LOCKED
    ), inserted AS (
        INSERT INTO {warning} (clock_id, cycle, point, at, created_at)
        SELECT k.id, k.cycle, w.point, w.at, %(now)s
        FROM claimed k CROSS JOIN LATERAL unnest(k.warning_points, k.warning_times) AS w(point, at)
        WHERE w.at <= %(now)s AND w.point IS NOT NULL
        ON CONFLICT (clock_id, cycle, point) DO NOTHING
        RETURNING id, clock_id, point
    ), advanced AS (
        UPDATE {clock} c SET next_warning_at = (
            SELECT min(x) FROM unnest(c.warning_times) x WHERE x > %(now)s)
        FROM claimed k WHERE c.id = k.id
        RETURNING c.id
    )
    SELECT i.id, c.report_id, (SELECT count(*) FROM advanced)
    FROM (SELECT 1) AS one LEFT JOIN inserted i ON true
    LEFT JOIN {clock} c ON c.id = i.clock_id
"""

RECIPIENTS_SQL = """
    SELECT r.id, r.public_id, u.username, 'assignee'
    FROM {report} r JOIN {user} u ON u.id = r.assignee_id
    WHERE r.id = ANY(%(reports)s) AND u.is_active
    UNION
    SELECT r.id, r.public_id, u.username, m.role
    FROM {report} r JOIN {membership} m ON m.agency_id = r.agency_id
    JOIN {user} u ON u.id = m.user_id
    WHERE r.id = ANY(%(reports)s) AND u.is_active AND m.role = ANY(%(roles)s)
"""


def _tables() -> dict[str, str]:
    return {
        "clock": table_name(SlaClock),
        "report": table_name(Report),
        "custody": table_name(Custody),
        "breach": table_name(SlaBreach),
        "warning": table_name(SlaWarning),
        "user": table_name(User),
        "membership": table_name(Membership),
    }


def _notify(*, kind: str, items: dict[int, int], roles: list[str], body: str) -> int:
    """Queue one push per recipient of each item (item id -> report id), deduplicated."""
    if not items:
        return 0
    by_report: dict[int, list[int]] = {}
    for item_id, report_id in items.items():
        by_report.setdefault(report_id, []).append(item_id)
    with connection.cursor() as cursor:
        cursor.execute(
            RECIPIENTS_SQL.format(**_tables()), {"reports": list(by_report), "roles": roles}
        )
        rows = cursor.fetchall()
    # One message per key: someone both assignee and supervisor of a ticket is listed twice.
    messages: dict[str, dict[str, Any]] = {}
    for report_id, public_id, username, role in rows:
        payload = {
            "to": username,
            "body": body % {"report": public_id},
            "kind": kind,
            "report_public_id": public_id,
            "role": role,
        }
        for item_id in by_report[report_id]:
            messages.setdefault(f"sla:{kind}:{item_id}:{username}", payload)
    # The count is of the rows this statement inserted: a key queued before (a sweep run
    # twice, concurrently) is not counted again.
    return outbox.enqueue_many(handler=PUSH_HANDLER, messages=messages)


def _claim(sql: str, params: dict[str, Any]) -> tuple[int, list[tuple[Any, ...]]]:
    """Run one claiming statement: (clocks claimed, rows recorded (id, report id, ...))."""
    with connection.cursor() as cursor:
        cursor.execute(sql.format(**_tables()), params)
        rows = cursor.fetchall()
    return int(rows[0][2]), [row for row in rows if row[0] is not None]


@dataclass(frozen=True)
class _Step:
    kind: str
    sql: str
    roles: tuple[str, ...]
    body: str


BREACH_STEP = _Step(
    "breach",
    BREACH_SQL,
    (Membership.Role.SUPERVISOR, Membership.Role.HEAD),
    "Laporan %(report)s melewati batas waktu tindak lanjut.",
)
WARNING_STEP = _Step(
    "warning",
    WARNING_SQL,
    (Membership.Role.SUPERVISOR,),
    "Laporan %(report)s mendekati batas waktu tindak lanjut.",
)


def _batch(*, step: _Step, now: datetime, batch: int) -> tuple[bool, int, int, int]:
    """One transaction. Returns (locked, claimed, rows recorded, notifications)."""
    with transaction.atomic():
        if not _try_lock():
            return False, 0, 0, 0
        params: dict[str, Any] = {"now": now, "batch": batch}
        if step is BREACH_STEP:
            params.update(grace=settings.SLA_MIN_GRACE, triage=triage_agency_id())
        claimed, rows = _claim(step.sql, params)
        if step is BREACH_STEP:
            # charges to a triage hold: the "bukan wewenang overturned" rule, same transaction
            triage = params["triage"]
            breaches_apply_return_rule(breach_ids=[row[0] for row in rows if row[3] == triage])
        sent = _notify(
            kind=step.kind,
            items={row[0]: row[1] for row in rows},
            roles=list(step.roles),
            body=step.body,
        )
        return True, claimed, len(rows), sent


def sla_sweep(*, now: datetime | None = None, batch_size: int | None = None) -> SweepResult:
    """Create missing clocks, refresh changed ones, record warnings and breaches once.

    Safe to run at any time, twice, or on two workers at once: the second finds nothing
    left to do (or the lock taken) and records nothing more.
    """
    now = now or timezone.now()
    batch = batch_size or settings.SLA_SWEEP_BATCH_SIZE
    result = SweepResult()
    with transaction.atomic():
        if not _try_lock():
            return SweepResult(ran=False)
        result.clocks_created = sla_clocks_create_missing(now=now)
    with transaction.atomic():
        if not _try_lock():
            return result
        result.clocks_recomputed = sla_clocks_refresh(
            now=now, settle_seconds=settings.SLA_EVENT_SETTLE_SECONDS
        )
        # triage has since decided on returns it held at a deadline
        result.breaches_settled = breaches_apply_return_rule()
    for step in (WARNING_STEP, BREACH_STEP):
        while True:
            locked, claimed, recorded, sent = _batch(step=step, now=now, batch=batch)
            if step is WARNING_STEP:
                result.warnings += recorded
            else:
                result.breaches += recorded
            result.notifications += sent
            if not locked:
                result.ran = False
                break
            if claimed < batch:
                break
    SlaSweepState.objects.filter(pk=1).update(last_run_at=now)
    return result
