"""Reads of the performance app (docs/conventions.md C2), re-exported from topic modules:
``periods`` (months in Jakarta time), ``ledger`` (counts, scores, breaches, appeals),
``report`` (the manager report) and ``drilldown`` (the tickets behind its numbers).

Access control lives here (docs/conventions.md C11): managers (``OrgRole.MANAGER`` group)
see every unit; an officer sees only their own scores and breaches.
"""

from apps.performance.selectors.drilldown import compliance_by_week, performance_report_tickets
from apps.performance.selectors.ledger import (
    appeal_get_for_user,
    breach_entry_get_for_officer,
    breaches_for_officer,
    counts_by_subject,
    month_is_closed,
    scores_for_user,
)
from apps.performance.selectors.periods import (
    JAKARTA,
    PERIOD_FIRST,
    PERIOD_LAST,
    PERIOD_RANGE_MESSAGE,
    month_bounds,
    month_of,
    period_range_message,
)
from apps.performance.selectors.report import (
    FOLLOW_UP_HOURS,
    GROUPINGS,
    METRICS,
    REPORT_WORK_MEM,
    EpochHours,
    PercentileCont,
    performance_report,
    performance_report_queryset,
    report_scope_for_user,
    ticket_outcome_filters,
)

__all__ = [
    "FOLLOW_UP_HOURS",
    "GROUPINGS",
    "JAKARTA",
    "METRICS",
    "PERIOD_FIRST",
    "PERIOD_LAST",
    "PERIOD_RANGE_MESSAGE",
    "REPORT_WORK_MEM",
    "EpochHours",
    "PercentileCont",
    "appeal_get_for_user",
    "breach_entry_get_for_officer",
    "breaches_for_officer",
    "compliance_by_week",
    "counts_by_subject",
    "month_bounds",
    "month_is_closed",
    "month_of",
    "performance_report",
    "performance_report_queryset",
    "performance_report_tickets",
    "period_range_message",
    "report_scope_for_user",
    "scores_for_user",
    "ticket_outcome_filters",
]
