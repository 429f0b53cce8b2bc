"""What citizens do around a report: support (+1), messages with the unit, claiming."""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.core.text import text_clean
from apps.identity.models import Reporter
from apps.reports import events
from apps.reports.errors import AlreadyClaimed, OwnReportSupport
from apps.reports.models import Report, ReportEvent, ReportMessage, ReportSupport
from apps.reports.services.common import lock, notify_reporter

MESSAGE_MAX = 2000


@transaction.atomic
def report_support(*, report: Report, reporter: Reporter) -> tuple[Report, bool]:
    """Add ``reporter``'s +1 to ``report`` once. Returns the report and whether it was new."""
    if report.reporter_id == reporter.pk:
        raise OwnReportSupport()
    _support, created = ReportSupport.objects.get_or_create(report=report, reporter=reporter)
    if created:
        Report.objects.filter(pk=report.pk).update(support_count=F("support_count") + 1)
        ReportEvent.objects.create(
            report=report,
            kind=ReportEvent.Kind.SUPPORT,
            actor=reporter.user,
            visibility=ReportEvent.Visibility.INTERNAL,
        )
    report.refresh_from_db(fields=["support_count"])
    return report, created


@transaction.atomic
def report_message_send(
    *, report: Report, author: User | None, body: str, direction: str
) -> ReportMessage:
    """Store one message of the report's thread and write its (internal) timeline event.

    A message to the reporter goes to their inbox through the outbox, exactly once.
    Officers call this with ``direction="to_reporter"``; the reporter's replies come in with
    ``"from_reporter"``.
    """
    if direction not in ReportMessage.Direction.values:
        raise ApplicationError(fields={"direction": ["Unknown direction."]})
    body = text_clean(value=body, field="body", max_length=MESSAGE_MAX)
    report = lock(report)
    message = ReportMessage.objects.create(
        report=report, direction=direction, body=body, author=author, agency=report.agency
    )
    to_reporter = direction == ReportMessage.Direction.TO_REPORTER
    event = ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.MESSAGE,
        actor=author,
        agency=report.agency if to_reporter else None,
        visibility=ReportEvent.Visibility.INTERNAL,
        data=events.message_data(message_id=message.pk, direction=direction),
    )
    if to_reporter:
        notify_reporter(
            report=report,
            event=event,
            kind="message",
            title=gettext("New message about report %(id)s") % {"id": report.public_id},
            body=body,
        )
    return message


@transaction.atomic
def report_claim(*, report: Report, reporter: Reporter) -> Report:
    """Move an anonymously filed report into ``reporter``'s account (idempotent).

    The holder of the tracking code decides; once claimed, no other account can claim it.
    """
    report = lock(report)
    if report.reporter_id == reporter.pk:
        return report
    if not report.is_anonymous or report.reporter.user_id is not None:
        raise AlreadyClaimed()
    report.reporter = reporter
    report.is_anonymous = False
    report.save(update_fields=["reporter", "is_anonymous", "updated_at"])
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.CLAIMED,
        actor=reporter.user,
        visibility=ReportEvent.Visibility.INTERNAL,
    )
    return report
