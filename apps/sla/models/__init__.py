"""SLA: working calendars, policies, one clock per report, breaches and warnings.

Rules and formulas: docs/sla.md. Every deadline records the policy version and the calendar
version that computed it, so any number can be explained and recomputed.

One module per concern (``policy``, ``clock``, ``freeze``); this package re-exports them, so
``apps.sla.models.SlaClock`` and the app label stay as they were.
"""

from apps.sla.models.clock import SlaBreach, SlaClock, SlaSweepState, SlaWarning
from apps.sla.models.freeze import AreaFreeze
from apps.sla.models.policy import (
    Holiday,
    SlaPolicy,
    WorkCalendar,
    default_pause_statuses,
    default_warning_points,
    default_working_weekdays,
)

__all__ = [
    "AreaFreeze",
    "Holiday",
    "SlaBreach",
    "SlaClock",
    "SlaPolicy",
    "SlaSweepState",
    "SlaWarning",
    "WorkCalendar",
    "default_pause_statuses",
    "default_warning_points",
    "default_working_weekdays",
]
