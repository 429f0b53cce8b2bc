"""The "bukan wewenang overturned" attribution rule (docs/sla.md, "Attribution").

A unit returns a ticket to central triage as not its authority (``report_return_to_triage``:
a ``transferred`` event with ``mode = "bukan_wewenang"``; the custody moves from the unit to
the triage unit at that instant). Triage then decides. The return is **overturned** when the
first transfer out of that triage hold sends the ticket back to the very unit that returned
it (the triage hold's next custody interval belongs to that unit); it is **upheld** when
triage sends it anywhere else, or closes it.

A breach the sweep charged to a triage custody interval that belongs to such a hold (the
deadline fell while triage held it, or the charge passed back to triage under the grace rule)
is then charged to the returning unit and the officer who returned it, with the rule
``bukan_wewenang_overturned``. While triage still holds the ticket the decision is not known:
the breach stays charged to triage but ``provisional``, and the ledger waits; every sweep
decides the provisional ones again.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from apps.accounts.models import Agency
from apps.reports import events
from apps.reports.models import Custody, ReportEvent
from apps.sla.models import SlaBreach

TRIAGE_RULES = (SlaBreach.Rule.HOLDER_AT_DEADLINE, SlaBreach.Rule.GRACE_PASS_BACK)


@dataclass(frozen=True)
class _Interval:
    pk: int
    agency_id: int
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class ReturnDecision:
    """What triage made of the return that opened a triage hold."""

    provisional: bool  # triage still holds the ticket
    overturned: bool
    returning_custody_id: int | None = None
    returning_agency_id: int | None = None
    returning_officer_id: int | None = None


UNDECIDED = ReturnDecision(provisional=True, overturned=False)
NOT_OVERTURNED = ReturnDecision(provisional=False, overturned=False)


def triage_agency_id() -> int | None:
    return (
        Agency.objects.filter(code=settings.TRIAGE_AGENCY_CODE).values_list("pk", flat=True).first()
    )


def return_decision(*, report_id: int, custody_id: int, triage_id: int) -> ReturnDecision:
    """Whether the triage hold containing ``custody_id`` began with an overturned return."""
    intervals = [
        _Interval(*row)
        for row in Custody.objects.filter(report_id=report_id)
        .order_by("started_at", "pk")
        .values_list("pk", "agency_id", "started_at", "ended_at")
    ]
    index = next((i for i, c in enumerate(intervals) if c.pk == custody_id), None)
    if index is None or intervals[index].agency_id != triage_id:
        return NOT_OVERTURNED
    first = last = index
    # One triage hold may span several intervals (a triage officer claimed it meanwhile).
    while (
        first > 0
        and intervals[first - 1].agency_id == triage_id
        and intervals[first - 1].ended_at == intervals[first].started_at
    ):
        first -= 1
    while (
        last + 1 < len(intervals)
        and intervals[last + 1].agency_id == triage_id
        and intervals[last + 1].started_at == intervals[last].ended_at
    ):
        last += 1
    before = intervals[first - 1] if first > 0 else None
    if before is None or before.ended_at != intervals[first].started_at:
        return NOT_OVERTURNED  # triage held it from the start (first routing), not a return
    hold_end = intervals[last].ended_at
    returned = (
        ReportEvent.objects.filter(
            report_id=report_id,
            **events.transfer_filter(
                mode=events.TransferMode.BUKAN_WEWENANG,
                from_agency_id=before.agency_id,
                to_agency_id=triage_id,
            ),
            created_at__gte=before.started_at,
        )
        .filter(**({"created_at__lte": hold_end} if hold_end is not None else {}))
        .order_by("-created_at", "-pk")
        .values_list("actor_id", flat=True)
    )
    if not returned.exists():
        return NOT_OVERTURNED  # moved to triage some other way (e.g. a koordinasi to triage)
    if hold_end is None:
        return UNDECIDED
    after = intervals[last + 1] if last + 1 < len(intervals) else None
    if after is None or after.started_at != hold_end or after.agency_id != before.agency_id:
        return NOT_OVERTURNED  # upheld: sent elsewhere, or closed
    return ReturnDecision(
        provisional=False,
        overturned=True,
        returning_custody_id=before.pk,
        returning_agency_id=before.agency_id,
        returning_officer_id=returned.first(),
    )


def breaches_apply_return_rule(*, breach_ids: list[int] | None = None) -> int:
    """Apply the rule to the given new breaches charged to triage, or to every provisional one.

    Runs inside the caller's transaction (the sweep's batch): a new breach is never visible
    to the ledger before its charge is settled. Returns how many breaches changed.
    """
    triage_id = triage_agency_id()
    if triage_id is None:
        return 0
    candidates = SlaBreach.objects.filter(custody_id__isnull=False)
    if breach_ids is None:
        candidates = candidates.filter(provisional=True)
    else:
        candidates = candidates.filter(
            pk__in=breach_ids, agency_id=triage_id, rule__in=TRIAGE_RULES
        )
    changed = 0
    for breach in candidates.select_for_update().order_by("pk"):
        if breach.custody_id is None:  # pragma: no cover - filtered above
            continue
        decision = return_decision(
            report_id=breach.report_id, custody_id=breach.custody_id, triage_id=triage_id
        )
        if decision.overturned:
            breach.agency_id = decision.returning_agency_id
            breach.officer_id = decision.returning_officer_id
            breach.custody_id = decision.returning_custody_id
            breach.rule = SlaBreach.Rule.BUKAN_WEWENANG_OVERTURNED
        if decision.overturned or breach.provisional != decision.provisional:
            breach.provisional = decision.provisional
            breach.save(update_fields=["agency", "officer", "custody_id", "rule", "provisional"])
            changed += 1
    return changed
