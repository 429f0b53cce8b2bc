"""Helpers shared by the report services: validation of free text, locking, notifications."""

from django.conf import settings
from django.db import IntegrityError
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core import outbox
from apps.core.errors import ApplicationError
from apps.reports.models import Report, ReportEvent

INBOX_HANDLER = "apps.identity.services.inbox_deliver"


def text_clean(*, value: str, field: str, max_length: int, required: bool = True) -> str:
    """Strip ``value`` and refuse what PostgreSQL or the app cannot store or show.

    NUL characters and lone UTF-16 surrogates are refused (PostgreSQL rejects the first in
    text columns, and the second cannot be encoded as UTF-8); so are empty and overlong text.
    """
    if any(char == "\x00" or "\ud800" <= char <= "\udfff" for char in value):
        raise ApplicationError(
            fields={field: [str(_("Contains characters that are not allowed."))]}
        )
    value = value.strip()
    if required and not value:
        raise ApplicationError(fields={field: [str(_("This field may not be blank."))]})
    if len(value) > max_length:
        raise ApplicationError(
            fields={
                field: [
                    str(
                        _("Ensure this field has no more than %(n)s characters.")
                        % {"n": max_length}
                    )
                ]
            }
        )
    return value


def constraint_name(exc: IntegrityError) -> str | None:
    """The name of the violated constraint (psycopg 3 exposes it on the cause's diagnostics)."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def lock(report: Report) -> Report:
    """Re-read ``report`` under a row lock (docs/conventions.md C5)."""
    return (
        Report.objects.select_for_update(no_key=True, of=("self",))
        .select_related("category", "agency", "reporter")
        .get(pk=report.pk)
    )


def notify_reporter(
    *, report: Report, event: ReportEvent, kind: str, title: str, body: str = ""
) -> None:
    """Queue one inbox message for the report's reporter about ``event`` (exactly once).

    Reports filed anonymously have no inbox to read, so nothing is queued for them. The
    dedup key names the event, so queueing twice, or delivering twice, stores one message.
    """
    if report.reporter.user_id is None:
        return
    dedup_key = f"report:{report.pk}:event:{event.pk}"
    outbox.enqueue(
        handler=INBOX_HANDLER,
        payload={
            "reporter_id": report.reporter_id,
            "kind": kind,
            "title": title,
            "body": body,
            "report_public_id": report.public_id,
            "dedup_key": dedup_key,
        },
        dedup_key=dedup_key,
    )


def status_title(*, report: Report, status: str) -> str:
    """The inbox title for a status change, in the service language."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Report %(id)s: %(status)s") % {
            "id": report.public_id,
            "status": str(Report.Status(status).label),
        }
