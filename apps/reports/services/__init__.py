"""Every write of the reports app (docs/conventions.md C2).

The functions live in topic modules; this package re-exports the public ones so that every
caller (the API, Open311, tasks) imports ``apps.reports.services``. The officers' actions
are ``apps.triage.services``.
"""

from apps.reports.services.engagement import (
    report_claim,
    report_message_send,
    report_support,
)
from apps.reports.services.intake import OPEN311_DESCRIPTION_MAX, ReportCreateResult, report_create
from apps.reports.services.lifecycle import (
    report_auto_confirm_due,
    report_confirm,
    report_reopen,
)

__all__ = [
    "OPEN311_DESCRIPTION_MAX",
    "ReportCreateResult",
    "report_auto_confirm_due",
    "report_claim",
    "report_confirm",
    "report_create",
    "report_message_send",
    "report_reopen",
    "report_support",
]
