"""Status changes: the generic transition, and the reporter's confirm and reopen."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Agency, User
from apps.core.errors import ApplicationError, NotFound
from apps.identity.models import Reporter
from apps.reports.errors import InvalidTransition, ReopenWindowClosed
from apps.reports.models import Custody, Report, ReportEvent
from apps.reports.services.common import lock, notify_reporter, status_title, text_clean

REOPEN_REASON_MAX = 1000
RATING_COMMENT_MAX = 1000


def _end_custody(*, report: Report, at: Any) -> None:
    Custody.objects.filter(report=report, ended_at__isnull=True).update(ended_at=at)


def _status_event(
    *,
    report: Report,
    from_status: str,
    to_status: str,
    actor: User | None,
    agency: Agency | None,
    note: str = "",
    visibility: str = ReportEvent.Visibility.PUBLIC,
    data: dict[str, Any] | None = None,
) -> ReportEvent:
    event = ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.STATUS,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        agency=agency,
        visibility=visibility,
        note=note,
        data=data or {},
    )
    if visibility == ReportEvent.Visibility.PUBLIC:
        notify_reporter(
            report=report,
            event=event,
            kind="status",
            title=status_title(report=report, status=to_status),
            body=note,
        )
    return event


@transaction.atomic
def report_transition(
    *,
    report: Report,
    to: str,
    actor: User | None,
    agency: Agency | None = None,
    note: str = "",
) -> Report:
    """Move ``report`` to status ``to`` as ``actor`` of ``agency`` (default: the current unit).

    The low-level step that the officer workflows build on: it checks the transition table,
    writes the public status event (the reporter is notified through the outbox), and keeps
    the completion/closing times and custody in line. Checks that belong to a particular
    workflow (evidence for ``selesai``, reason codes for ``ditolak``) live in that workflow.
    """
    report = lock(report)
    if to not in Report.TRANSITIONS[report.status]:
        raise InvalidTransition(current=report.status, requested=to)
    note = text_clean(value=note, field="note", max_length=2000, required=False)
    now = timezone.now()
    previous = report.status
    fields = ["status", "updated_at"]
    report.status = to
    if to == Report.Status.SELESAI:
        report.completed_at = now
        fields.append("completed_at")
    if to in (Report.Status.DITOLAK, Report.Status.DIKONFIRMASI):
        report.closed_at = now
        fields.append("closed_at")
    if to in (Report.Status.SELESAI, Report.Status.DITOLAK, Report.Status.DIKONFIRMASI):
        _end_custody(report=report, at=now)
    report.save(update_fields=fields)
    _status_event(
        report=report,
        from_status=previous,
        to_status=to,
        actor=actor,
        agency=agency or report.agency,
        note=note,
    )
    return report


def _owned(report: Report, reporter: Reporter) -> Report:
    locked = lock(report)
    if locked.reporter_id != reporter.pk:
        raise NotFound()
    return locked


@transaction.atomic
def report_confirm(*, report: Report, reporter: Reporter, rating: int, comment: str = "") -> Report:
    """The reporter accepts the follow-up (``selesai`` → ``dikonfirmasi``) and rates it 1-5."""
    report = _owned(report, reporter)
    if report.status != Report.Status.SELESAI:
        raise InvalidTransition(current=report.status, requested=Report.Status.DIKONFIRMASI)
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise ApplicationError(fields={"rating": ["Must be an integer from 1 to 5."]})
    comment = text_clean(
        value=comment, field="comment", max_length=RATING_COMMENT_MAX, required=False
    )
    now = timezone.now()
    report.status = Report.Status.DIKONFIRMASI
    report.rating = rating
    report.rating_comment = comment
    report.closed_at = now
    report.save(update_fields=["status", "rating", "rating_comment", "closed_at", "updated_at"])
    _end_custody(report=report, at=now)
    actor = reporter.user
    _status_event(
        report=report,
        from_status=Report.Status.SELESAI,
        to_status=Report.Status.DIKONFIRMASI,
        actor=actor,
        agency=None,
        data={"by": "reporter"},
    )
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.RATING,
        actor=actor,
        visibility=ReportEvent.Visibility.INTERNAL,
        data={"rating": rating},
    )
    return report


@transaction.atomic
def report_reopen(*, report: Report, reporter: Reporter, reason: str) -> Report:
    """The reporter rejects the follow-up (``selesai`` → ``dibuka_kembali``).

    Allowed within ``REPORT_REOPEN_WINDOW`` of completion. The report goes back to the unit
    (and officer) that completed it, which takes custody again; the SLA clock is not reset.
    """
    report = _owned(report, reporter)
    if report.status != Report.Status.SELESAI:
        raise InvalidTransition(current=report.status, requested=Report.Status.DIBUKA_KEMBALI)
    reason = text_clean(value=reason, field="reason", max_length=REOPEN_REASON_MAX)
    now = timezone.now()
    completed_at = report.completed_at or report.updated_at
    if now - completed_at > settings.REPORT_REOPEN_WINDOW:
        raise ReopenWindowClosed()
    completion = (
        ReportEvent.objects.filter(
            report=report, kind=ReportEvent.Kind.STATUS, to_status=Report.Status.SELESAI
        )
        .select_related("agency", "actor")
        .order_by("-created_at", "-pk")
        .first()
    )
    unit = (completion.agency if completion else None) or report.agency
    officer = completion.actor if completion else None
    fields = ["status", "completed_at", "updated_at"]
    if unit.pk != report.agency_id:
        ReportEvent.objects.create(
            report=report,
            kind=ReportEvent.Kind.TRANSFERRED,
            agency=unit,
            visibility=ReportEvent.Visibility.INTERNAL,
            data={"from_agency": report.agency.code, "to_agency": unit.code, "why": "reopen"},
        )
        report.agency = unit
        fields.append("agency")
    if officer is not None and officer.is_active:
        report.assignee = officer
        fields.append("assignee")
    report.status = Report.Status.DIBUKA_KEMBALI
    report.completed_at = None
    report.save(update_fields=fields)
    _end_custody(report=report, at=now)  # normally none is open after selesai
    Custody.objects.create(report=report, agency=unit, officer=officer, started_at=now)
    _status_event(
        report=report,
        from_status=Report.Status.SELESAI,
        to_status=Report.Status.DIBUKA_KEMBALI,
        actor=reporter.user,
        agency=None,
        data={"by": "reporter", "reason": reason, "back_to": unit.code},
    )
    return report
