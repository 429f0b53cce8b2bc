"""Every write of the performance app: ledger sync, month close, appeals (docs/performance.md)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.accounts.selectors import user_is_manager
from apps.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from apps.core.text import text_clean
from apps.performance.formula import score_for
from apps.performance.models import (
    FORMULA_VERSION,
    Appeal,
    PerformanceMonth,
    ScoreEvent,
    ScoreSnapshot,
)
from apps.performance.selectors import (
    counts_by_subject,
    month_bounds,
    month_is_closed,
    month_of,
)

APPEAL_REASON_MAX = 2000

# Month of an instant, Jakarta time (the city's calendar month).
_PERIOD = "date_trunc('month', {col} AT TIME ZONE 'Asia/Jakarta')::date"
_INSERT = """
    INSERT INTO performance_scoreevent (kind, source, source_id, report_id, agency_id,
        officer_id, count, points, rating, occurred_at, period, note, created_at)
"""
_ON_CONFLICT = "ON CONFLICT ON CONSTRAINT score_event_once_per_source DO NOTHING"
# The completion before a report event: whoever posted it is charged for a reopen or a rating.
_COMPLETION_BEFORE = """
    LEFT JOIN LATERAL (
        SELECT p.agency_id, p.actor_id FROM reports_reportevent p
        WHERE p.report_id = e.report_id AND p.kind = 'status' AND p.to_status = 'selesai'
          AND (p.created_at, p.id) < (e.created_at, e.id)
        ORDER BY p.created_at DESC, p.id DESC LIMIT 1) c ON true
"""


def _not_in_ledger(*, source: str, kind: str, alias: str) -> str:
    """The row of ``alias`` has no ledger entry of ``kind`` yet (cheap re-run check)."""
    return (
        "NOT EXISTS (SELECT 1 FROM performance_scoreevent s "  # noqa: S608 - our constants only
        f"WHERE s.source = '{source}' AND s.source_id = {alias}.id AND s.kind = '{kind}')"
    )


def _event_entry(
    *, kind: str, charged: str, points: str, rating: str, joins: str, where: str
) -> str:
    """One INSERT … SELECT of ledger rows from report events of one kind."""
    return f"""{_INSERT}
    SELECT '{kind}', 'report_event', e.id, e.report_id, COALESCE({charged}.agency_id, r.agency_id),
           {charged}.actor_id, 1, {points}, {rating}, e.created_at,
           {_PERIOD.format(col="e.created_at")}, '', %(now)s
    FROM reports_reportevent e JOIN reports_report r ON r.id = e.report_id
    {joins}
    WHERE {where} AND e.created_at < %(settled)s
      AND {_not_in_ledger(source="report_event", kind=kind, alias="e")}
    {_ON_CONFLICT}
    """  # noqa: S608 - only our fixed SQL fragments are formatted in; values are parameters


# Each statement inserts the ledger rows one source kind yields; ON CONFLICT on
# score_event_once_per_source makes a second run (or two at once) add nothing.
_LEDGER_SQL = [
    # Breaches: charged as the sweep attributed them (unit, officer, rule); a provisional
    # charge (triage still deciding on a bukan wewenang return) waits.
    f"""{_INSERT}
    SELECT 'breach', 'sla_breach', b.id, b.report_id, b.agency_id, b.officer_id, 1, -1, NULL,
           b.due_at, {_PERIOD.format(col="b.due_at")}, b.rule, %(now)s
    FROM sla_slabreach b
    WHERE b.agency_id IS NOT NULL AND NOT b.provisional
      AND {_not_in_ledger(source="sla_breach", kind="breach", alias="b")}
    {_ON_CONFLICT}
    """,  # noqa: S608 - only our fixed SQL fragments are formatted in; values are parameters
    # First completion of a report with no breach recorded at or before it: on time.
    _event_entry(
        kind="on_time",
        charged="e",
        points="1",
        rating="NULL",
        joins="",
        where="""e.kind = 'status' AND e.to_status = 'selesai' AND r.parent_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM reports_reportevent p
                      WHERE p.report_id = e.report_id AND p.kind = 'status'
                        AND p.to_status = 'selesai'
                        AND (p.created_at, p.id) < (e.created_at, e.id))
      AND NOT EXISTS (SELECT 1 FROM sla_slabreach b
                      WHERE b.report_id = e.report_id AND b.due_at <= e.created_at)""",
    ),
    # Reopened by the reporter: charged to whoever posted the completion before it.
    _event_entry(
        kind="reopen",
        charged="c",
        points="-1",
        rating="NULL",
        joins=_COMPLETION_BEFORE,
        where="e.kind = 'status' AND e.to_status = 'dibuka_kembali'",
    ),
    # Reporter rating (1-5 stars): points = stars - 3, charged like a reopen.
    _event_entry(
        kind="rating",
        charged="c",
        points="(e.data->>'rating')::int - 3",
        rating="(e.data->>'rating')::int",
        joins=_COMPLETION_BEFORE,
        where="e.kind = 'rating' AND (e.data->>'rating') ~ '^[1-5]$'",
    ),
]


@dataclass
class LedgerSyncResult:
    breaches: int = 0
    on_time: int = 0
    reopens: int = 0
    ratings: int = 0


@transaction.atomic
def performance_ledger_sync(*, now: datetime | None = None) -> LedgerSyncResult:
    """Append the ledger rows for breaches and report events not yet in it (set-based).

    Report events younger than ``SLA_EVENT_SETTLE_SECONDS`` wait for the next run, so the
    sweep has recorded any breach that makes a completion late before it is judged.
    """
    now = now or timezone.now()
    params = {"now": now, "settled": now - timedelta(seconds=settings.SLA_EVENT_SETTLE_SECONDS)}
    counts: list[int] = []
    with connection.cursor() as cursor:
        for sql in _LEDGER_SQL:
            cursor.execute(sql, params)
            counts.append(int(cursor.rowcount))
    return LedgerSyncResult(*counts)


def _require_manager(user: User) -> None:
    if not user_is_manager(user=user):
        raise Forbidden(_("Only managers may do this."))


def performance_month_close(
    *, period: date, actor: User | None, now: datetime | None = None
) -> PerformanceMonth:
    """Freeze the snapshots of a finished month, per unit and per officer.

    Refused for a month not yet over (400) and for a month already closed (409).
    ``actor`` None is the scheduled close.
    """
    now = now or timezone.now()
    if actor is not None:
        _require_manager(actor)
    _start, end = month_bounds(period=period)
    if period.day != 1:
        raise ApplicationError(fields={"period": [_("Give a month as YYYY-MM.")]})
    if now < end:
        raise ApplicationError(
            _("A month can be closed only after it has ended."),
            fields={"period": [_("This month has not ended yet.")]},
        )
    performance_ledger_sync(now=now)
    try:
        with transaction.atomic():
            month = PerformanceMonth.objects.create(
                period=period, formula_version=FORMULA_VERSION, closed_at=now, closed_by=actor
            )
            snapshots: list[ScoreSnapshot] = []
            for subject in ("unit", "officer"):
                for key, counts in counts_by_subject(period=period, subject=subject).items():
                    snapshots.append(
                        ScoreSnapshot(
                            period=period,
                            agency_id=key if subject == "unit" else None,
                            officer_id=key if subject == "officer" else None,
                            formula_version=FORMULA_VERSION,
                            score=score_for(counts),
                            created_at=now,
                            **counts.__dict__,
                        )
                    )
            ScoreSnapshot.objects.bulk_create(snapshots, batch_size=2000)
    except IntegrityError as exc:
        raise Conflict(_("This month is already closed.")) from exc
    return month


@transaction.atomic
def appeal_submit(*, score_event: ScoreEvent, officer: User, reason: str) -> Appeal:
    """The charged officer contests a breach of a closed month (sanggah)."""
    if score_event.kind != ScoreEvent.Kind.BREACH or score_event.officer_id != officer.pk:
        raise NotFound()
    if score_event.source != ScoreEvent.Source.SLA_BREACH:
        raise NotFound()
    reason = text_clean(value=reason, field="reason", max_length=APPEAL_REASON_MAX)
    if not month_is_closed(period=score_event.period):
        raise ApplicationError(
            _("Appeals are possible only once the month is closed."),
            fields={"period": [_("The month of this breach is not closed yet.")]},
        )
    try:
        with transaction.atomic():
            return Appeal.objects.create(score_event=score_event, officer=officer, reason=reason)
    except IntegrityError as exc:
        raise Conflict(_("This breach has already been appealed.")) from exc


@transaction.atomic
def appeal_decide(
    *, appeal: Appeal, manager: User, upheld: bool, note: str, now: datetime | None = None
) -> Appeal:
    """A manager decides; an upheld appeal adds an adjustment row (history is never edited)."""
    now = now or timezone.now()
    _require_manager(manager)
    appeal = Appeal.objects.select_for_update().select_related("score_event").get(pk=appeal.pk)
    if appeal.officer_id == manager.pk:
        raise Forbidden(_("An officer cannot decide their own appeal."))
    if appeal.status != Appeal.Status.PENDING:
        raise Conflict(_("This appeal has already been decided."))
    note = text_clean(value=note, field="note", max_length=APPEAL_REASON_MAX, required=False)
    appeal.status = Appeal.Status.UPHELD if upheld else Appeal.Status.REJECTED
    appeal.decided_by = manager
    appeal.decided_at = now
    appeal.decision_note = note
    appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if upheld:
        contested = appeal.score_event
        values: dict[str, Any] = {
            "kind": contested.kind,
            "source": ScoreEvent.Source.APPEAL,
            "source_id": appeal.pk,
            "report_id": contested.report_id,
            "agency_id": contested.agency_id,
            "officer_id": contested.officer_id,
            "count": -1,
            "points": -contested.points,
            "occurred_at": now,
            "period": month_of(at=now),
            "note": note[:300],
        }
        ScoreEvent.objects.create(**values)
    return appeal
