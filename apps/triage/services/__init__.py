"""Every write of the officers' workspace (docs/triage.md): one service per officer action,
and the identity reveal bound to a ticket. Callers import ``apps.triage.services``.
"""

from apps.triage.services.closing import report_complete, report_merge, report_reject
from apps.triage.services.common import RejectReason, ReturnReason
from apps.triage.services.correction import report_correct_place_time
from apps.triage.services.evidence import (
    report_clip_link_add,
    report_clip_link_remove,
    report_clip_play,
)
from apps.triage.services.transfers import (
    koordinasi_pending,
    report_disposisi,
    report_koordinasi,
    report_koordinasi_accept,
    report_koordinasi_decline,
    report_return_to_triage,
)
from apps.triage.services.work import (
    report_assign,
    report_request_info,
    report_resume,
    report_start,
    report_take,
)

__all__ = [
    "RejectReason",
    "ReturnReason",
    "koordinasi_pending",
    "report_assign",
    "report_clip_link_add",
    "report_clip_link_remove",
    "report_clip_play",
    "report_complete",
    "report_correct_place_time",
    "report_disposisi",
    "report_koordinasi",
    "report_koordinasi_accept",
    "report_koordinasi_decline",
    "report_merge",
    "report_reject",
    "report_request_info",
    "report_resume",
    "report_return_to_triage",
    "report_start",
    "report_take",
]
