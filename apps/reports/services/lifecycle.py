"""Status changes: the generic transition, the reporter's confirm and reopen, auto-confirm.

All of them go through the shared helpers of ``services.common`` (the row lock, the status
change with its event, notification and merged duplicates, custody), as the officer
actions of ``apps.triage.services`` do.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.core.errors import ApplicationError, NotFound
from apps.core.text import text_clean
from apps.identity.models import Reporter
from apps.reports import events
from apps.reports.errors import InvalidTransition, ReopenWindowClosed
from apps.reports.models import Report, ReportEvent
from apps.reports.services.common import (
    change_status,
    custody_end,
    custody_open,
    lock,
    transfer_event,
)

S = Report.Status
REOPEN_REASON_MAX = 1000
RATING_COMMENT_MAX = 1000
AUTO_CONFIRM_AFTER = timedelta(days=3)


def _owned(report: Report, reporter: Reporter, requested: str) -> Report:
    """Lock the report and re-check, on the current row, that it is the reporter's and that
    it awaits their verdict (``selesai``)."""
    locked = lock(report)
    if locked.reporter_id != reporter.pk:
        raise NotFound()
    if locked.status != S.SELESAI:
        raise InvalidTransition(current=locked.status, requested=requested)
    return locked


@transaction.atomic
def report_confirm(*, report: Report, reporter: Reporter, rating: int, comment: str = "") -> Report:
    """The reporter accepts the follow-up (``selesai`` → ``dikonfirmasi``) and rates it 1-5.

    Merged duplicates follow (their reporters are notified); the rating is this report's.
    """
    report = _owned(report, reporter, S.DIKONFIRMASI)
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise ApplicationError(fields={"rating": ["Must be an integer from 1 to 5."]})
    comment = text_clean(
        value=comment, field="comment", max_length=RATING_COMMENT_MAX, required=False
    )
    actor = reporter.user
    report.rating = rating
    report.rating_comment = comment
    change_status(
        report=report,
        to=S.DIKONFIRMASI,
        actor=actor,
        agency=None,
        data=events.reporter_confirmed_data(),
        fields=("rating", "rating_comment"),
        by_reporter=True,
    )
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.RATING,
        actor=actor,
        visibility=ReportEvent.Visibility.INTERNAL,
        data=events.rating_data(rating=rating),
    )
    return report


@transaction.atomic
def report_reopen(*, report: Report, reporter: Reporter, reason: str) -> Report:
    """The reporter rejects the follow-up (``selesai`` → ``dibuka_kembali``).

    Allowed within ``REPORT_REOPEN_WINDOW`` of completion. The report goes back to the unit
    (and officer) that completed it, which takes custody again; the SLA clock is not reset.
    Merged duplicates follow (their reporters are notified).
    """
    report = _owned(report, reporter, S.DIBUKA_KEMBALI)
    reason = text_clean(value=reason, field="reason", max_length=REOPEN_REASON_MAX)
    now = timezone.now()
    completed_at = report.completed_at or report.updated_at
    if now - completed_at > settings.REPORT_REOPEN_WINDOW:
        raise ReopenWindowClosed()
    completion = (
        ReportEvent.objects.filter(report=report, kind=ReportEvent.Kind.STATUS, to_status=S.SELESAI)
        .select_related("agency", "actor")
        .order_by("-created_at", "-pk")
        .first()
    )
    unit = (completion.agency if completion else None) or report.agency
    officer = completion.actor if completion else None
    fields: list[str] = []
    if unit.pk != report.agency_id:
        transfer_event(
            report=report,
            actor=None,
            from_agency=report.agency,
            to_agency=unit,
            mode=events.TransferMode.REOPEN,
        )
        report.agency = unit
        fields.append("agency")
    if officer is not None and officer.is_active:
        report.assignee = officer
        fields.append("assignee")
    custody_end(report=report, at=now)  # normally none is open after selesai
    custody_open(report=report, agency=unit, officer=officer, at=now)
    change_status(
        report=report,
        to=S.DIBUKA_KEMBALI,
        actor=reporter.user,
        agency=None,
        data=events.reopened_data(reason=reason, back_to=unit.code),
        now=now,
        fields=tuple(fields),
        by_reporter=True,
    )
    return report


# ---- automatic -----------------------------------------------------------------------------


def report_auto_confirm_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Confirm tickets completed more than 3 days ago that nobody disputed. Returns the count.

    Idempotent and safe to run on two workers at once: each ticket is locked with
    ``SKIP LOCKED`` and re-checked under the lock.
    """
    now = now or timezone.now()
    cutoff = now - AUTO_CONFIRM_AFTER
    ids = list(
        Report.objects.filter(status=S.SELESAI, completed_at__lte=cutoff, parent__isnull=True)
        .order_by("completed_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            report = (
                Report.objects.select_for_update(no_key=True, skip_locked=True)
                .filter(pk=pk, status=S.SELESAI, completed_at__lte=cutoff)
                .first()
            )
            if report is None:
                continue
            change_status(
                report=report,
                to=S.DIKONFIRMASI,
                actor=None,
                agency=None,
                data=events.auto_confirm_data(after_days=AUTO_CONFIRM_AFTER.days),
                now=now,
            )
            done += 1
    return done
