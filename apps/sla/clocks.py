"""Pure clock computation from a report's status history (docs/sla.md, "Clocks").

The same events always give the same clock: recomputing is safe at any time.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from apps.reports.models import Report
from apps.sla.deadlines import CalendarSnapshot, Interval, due_at

# Statuses that stop the clock. dikonfirmasi follows selesai; reopening resumes the clock.
STOP_STATUSES: frozenset[str] = Report.CLOSED_STATUSES
REOPEN_STATUS: str = Report.Status.DIBUKA_KEMBALI


@dataclass(frozen=True)
class StatusChange:
    """One status change (``to_status``) at ``at``; transfers and messages are not passed in."""

    event_id: int
    at: datetime
    to_status: str


@dataclass(frozen=True)
class ClockResult:
    state: str  # running | paused | stopped
    cycle: int
    due_at: datetime | None
    stopped_at: datetime | None
    intervals: list[dict[str, str | None]] = field(default_factory=list)
    warning_points: list[int] = field(default_factory=list)
    warning_times: list[datetime] = field(default_factory=list)
    events_seen_id: int = 0


def compute_clock(
    *,
    started_at: datetime,
    changes: Sequence[StatusChange],
    target: int,
    unit: str,
    pause_statuses: Iterable[str],
    warning_points: Sequence[int],
    calendar_snapshot: CalendarSnapshot,
    extra_pauses: Iterable[tuple[datetime, datetime, str]] = (),
) -> ClockResult:
    """Walk the status changes in order: pause-status time and stopped time do not count.

    ``extra_pauses`` are closed intervals from outside the report (area freezes).
    """
    pausing = frozenset(pause_statuses)
    intervals: list[tuple[datetime, datetime | None, str]] = []
    open_since: datetime | None = None
    open_reason = ""
    cycle = 1
    stopped_at: datetime | None = None
    seen = 0
    for change in sorted(changes, key=lambda c: (c.at, c.event_id)):
        seen = max(seen, change.event_id)
        status = change.to_status
        reason = "stopped" if status in STOP_STATUSES else status if status in pausing else ""
        if reason == open_reason:
            continue  # e.g. selesai -> dikonfirmasi: still stopped
        if open_since is not None:
            intervals.append((open_since, change.at, open_reason))
            open_since = None
        if open_reason == "stopped" and status == REOPEN_STATUS:
            cycle += 1
        if reason:
            open_since = change.at
        open_reason = reason
    pauses: list[Interval] = [(begin, end) for begin, end, _ in intervals]
    pauses += [(begin, end) for begin, end, _ in extra_pauses]
    state = "running"
    if open_since is not None:
        pauses.append((open_since, None))
        state = "stopped" if open_reason == "stopped" else "paused"
        stopped_at = open_since if state == "stopped" else None
    deadline = due_at(
        start=started_at,
        target=target,
        unit=unit,
        calendar_snapshot=calendar_snapshot,
        pauses=pauses,
    )
    times: list[datetime] = []
    points: list[int] = []
    for point in sorted(set(warning_points)):
        moment = due_at(
            start=started_at,
            target=target,
            unit=unit,
            calendar_snapshot=calendar_snapshot,
            pauses=pauses,
            percent=point,
        )
        if moment is not None:
            points.append(point)
            times.append(moment)
    tz = calendar_snapshot.tz()

    def local(moment: datetime | None) -> str | None:
        return moment.astimezone(tz).isoformat() if moment else None

    described = [
        {"from": local(begin), "to": local(end), "reason": why}
        for begin, end, why in [*intervals, *extra_pauses]
    ]
    if open_since is not None:
        described.append({"from": local(open_since), "to": None, "reason": open_reason})
    return ClockResult(
        state=state,
        cycle=cycle,
        due_at=deadline,
        stopped_at=stopped_at,
        intervals=described,
        warning_points=points,
        warning_times=times,
        events_seen_id=seen,
    )
