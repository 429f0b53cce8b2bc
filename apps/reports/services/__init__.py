"""Every write of the reports app (docs/conventions.md C2).

The functions live in topic modules; this package re-exports the public ones so that every
caller (the API, Open311, the admin, tasks) imports ``apps.reports.services``.
"""

from apps.reports.services.correction import report_correct_place_time
from apps.reports.services.engagement import (
    report_claim,
    report_message_send,
    report_support,
)
from apps.reports.services.evidence_actions import (
    report_clip_link_add,
    report_clip_link_remove,
    report_clip_play,
)
from apps.reports.services.intake import ReportCreateResult, report_create
from apps.reports.services.lifecycle import report_confirm, report_reopen, report_transition
from apps.reports.services.triage import (
    RejectReason,
    ReturnReason,
    report_assign,
    report_auto_confirm_due,
    report_complete,
    report_disposisi,
    report_koordinasi,
    report_koordinasi_accept,
    report_koordinasi_decline,
    report_merge,
    report_reject,
    report_request_info,
    report_resume,
    report_return_to_triage,
    report_start,
    report_take,
)

__all__ = [
    "RejectReason",
    "ReportCreateResult",
    "ReturnReason",
    "report_assign",
    "report_auto_confirm_due",
    "report_claim",
    "report_clip_link_add",
    "report_clip_link_remove",
    "report_clip_play",
    "report_complete",
    "report_confirm",
    "report_correct_place_time",
    "report_create",
    "report_disposisi",
    "report_koordinasi",
    "report_koordinasi_accept",
    "report_koordinasi_decline",
    "report_merge",
    "report_message_send",
    "report_reject",
    "report_reopen",
    "report_request_info",
    "report_resume",
    "report_return_to_triage",
    "report_start",
    "report_support",
    "report_take",
    "report_transition",
]
