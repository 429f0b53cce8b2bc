"""What officers do with a ticket's CCTV evidence (docs/cctv.md): link, unlink, play.

Each checks who may (``apps.triage.selectors.evidence``, on the one staff scope) and then
calls the evidence service, which does the write. Like the other officer actions, this module
sits with the staff scope; ``apps.reports.evidence`` itself needs no scope.
"""

from apps.accounts.models import User
from apps.reports import evidence
from apps.reports.models import Report, ReportClip
from apps.triage.selectors.evidence import (
    EvidenceDenied,
    evidence_check_manage,
    evidence_may_view,
)
from apps.triage.selectors.scope import staff_scope_for_user


def report_clip_link_add(*, report: Report, clip_uid: str, actor: User, note: str) -> ReportClip:
    """An officer who may act on the ticket links a clip by hand, with a note."""
    evidence_check_manage(user=actor, report=report)
    return evidence.report_clip_link_store(report=report, clip_uid=clip_uid, actor=actor, note=note)


def report_clip_link_remove(*, report: Report, clip_uid: str, actor: User, note: str) -> None:
    """An officer who may act on the ticket removes a link, with a note."""
    evidence_check_manage(user=actor, report=report)
    evidence.report_clip_link_drop(report=report, clip_uid=clip_uid, actor=actor, note=note)


def report_clip_play(*, user: User, report: Report, clip_uid: str, purpose: str) -> str:
    """Someone with evidence access plays a linked clip: logged, then a short-lived URL."""
    if not evidence_may_view(scope=staff_scope_for_user(user=user), report=report):
        raise EvidenceDenied()
    return evidence.report_clip_play_log(
        user=user, report=report, clip_uid=clip_uid, purpose=purpose
    )
