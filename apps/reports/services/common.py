"""The one set of helpers every report service uses (intake, lifecycle, engagement, triage).

Free-text validation, the row lock, status changes (with their timeline event, the
reporter's notification and merged duplicates following), custody intervals, transfer
events, and photo files. Each helper works inside the caller's transaction.
"""

import logging
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.utils import timezone, translation
from django.utils.translation import gettext

from apps.accounts.models import Agency, User
from apps.core import outbox
from apps.core.errors import NotFound
from apps.core.models import OutboxMessage
from apps.reports import events
from apps.reports.errors import InvalidTransition
from apps.reports.images import ProcessedPhoto
from apps.reports.models import Custody, Report, ReportEvent, ReportPhoto

logger = logging.getLogger(__name__)
S = Report.Status

INBOX_HANDLER = "apps.identity.services.inbox_deliver"


def constraint_name(exc: IntegrityError) -> str | None:
    """The name of the violated constraint (psycopg 3 exposes it on the cause's diagnostics)."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


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
        payload=_notice(report=report, kind=kind, title=title, body=body, dedup_key=dedup_key),
        dedup_key=dedup_key,
    )


def first_notice_message(*, report: Report, title: str, at: datetime) -> OutboxMessage | None:
    """The inbox message about a new report (its "created" event), as an outbox row for intake
    to store in the report's own INSERT (``outbox.message_new``); None for an anonymous
    reporter. Neither the report's nor the event's id is known yet, so the key names the
    report by its public id: ``report:<public id>:event:created``."""
    if report.reporter.user_id is None:
        return None
    dedup_key = f"report:{report.public_id}:event:created"
    return outbox.message_new(
        handler=INBOX_HANDLER,
        payload=_notice(report=report, kind="status", title=title, body="", dedup_key=dedup_key),
        dedup_key=dedup_key,
        at=at,
    )


def _notice(*, report: Report, kind: str, title: str, body: str, dedup_key: str) -> dict[str, Any]:
    return {
        "reporter_id": report.reporter_id,
        "kind": kind,
        "title": title,
        "body": body,
        "report_public_id": report.public_id,
        "dedup_key": dedup_key,
    }


def status_title(*, report: Report, status: str) -> str:
    """The inbox title for a status change, in the service language."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Report %(id)s: %(status)s") % {
            "id": report.public_id,
            "status": str(Report.Status(status).label),
        }


# ---- the row lock ----------------------------------------------------------------------------


def lock(report: Report) -> Report:
    """Re-read ``report`` under a row lock (docs/conventions.md C5): the bare row, no joins.

    PostgreSQL re-checks a locking read's whole ``WHERE``/join after waiting for a concurrent
    writer. Were related rows joined, a writer that moved the ticket to another unit would
    make the join fail on the new row version and the read would find nothing. So only the
    report row is read and locked; relations load afterwards, from the committed state.
    Callers re-check who may act and the status on the returned (current) row.
    """
    locked = (
        Report.objects.select_for_update(no_key=True, of=("self",)).filter(pk=report.pk).first()
    )
    if locked is None:
        raise NotFound()
    return locked


# ---- status changes ------------------------------------------------------------------------


def check_move(report: Report, to: str) -> None:
    """Refuse a move that ``Report.TRANSITIONS`` does not allow (409 naming both statuses)."""
    if to not in Report.TRANSITIONS[report.status]:
        raise InvalidTransition(current=report.status, requested=to)


def set_status(report: Report, to: str, now: datetime) -> list[str]:
    """Set ``status`` and the completion/closing times; returns the fields to save."""
    fields = ["status", "updated_at"]
    report.status = to
    if to == S.SELESAI:
        report.completed_at = now
        fields.append("completed_at")
    if to == S.DIBUKA_KEMBALI:
        report.completed_at = None
        fields.append("completed_at")
    if to in (S.DITOLAK, S.DIKONFIRMASI):
        report.closed_at = now
        fields.append("closed_at")
    return fields


def status_event(
    *,
    report: Report,
    from_status: str,
    to_status: str,
    actor: User | None,
    agency: Agency | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    notify: bool = True,
) -> ReportEvent:
    """Write the public status event of a change; the reporter is notified unless ``notify``
    is off (when the same change sends its own message)."""
    event = ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.STATUS,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        agency=agency,
        visibility=ReportEvent.Visibility.PUBLIC,
        note=note,
        data=data or {},
    )
    if notify:
        notify_reporter(
            report=report,
            event=event,
            kind="status",
            title=status_title(report=report, status=to_status),
            body=note,
        )
    return event


def change_status(
    *,
    report: Report,
    to: str,
    actor: User | None,
    agency: Agency | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    notify: bool = True,
    now: datetime | None = None,
    fields: tuple[str, ...] = (),
    by_reporter: bool = False,
) -> ReportEvent:
    """Move the locked ``report`` to ``to`` (already checked), its merged duplicates with it.

    Saves the status, the completion/closing times and any other ``fields`` the caller set;
    a closing status ends the open custody interval; writes the status event (the reporter
    is notified) and makes every duplicate follow. ``by_reporter``: the change is the
    reporter's own (confirm, reopen); the duplicates' events then name no actor, since their
    reporters are other citizens.
    """
    now = now or timezone.now()
    previous = report.status
    report.save(update_fields=[*set_status(report, to, now), *fields])
    if to in Report.CLOSED_STATUSES:
        custody_end(report=report, at=now)
    event = status_event(
        report=report,
        from_status=previous,
        to_status=to,
        actor=actor,
        agency=agency,
        note=note,
        data=data,
        notify=notify,
    )
    children_follow(
        parent=report,
        actor=None if by_reporter else actor,
        agency=agency,
        note=note,
        now=now,
        by_parent_reporter=by_reporter,
    )
    return event


def children_follow(
    *,
    parent: Report,
    actor: User | None,
    agency: Agency | None,
    note: str,
    now: datetime,
    by_parent_reporter: bool = False,
) -> None:
    """Merged duplicates take their parent's status; each reporter is told (exactly once)."""
    children = list(
        Report.objects.select_for_update(no_key=True, of=("self",))
        .filter(parent=parent)
        .exclude(status=parent.status)
        .order_by("pk")
    )
    for child in children:
        previous = child.status
        child.save(update_fields=set_status(child, parent.status, now))
        status_event(
            report=child,
            from_status=previous,
            to_status=parent.status,
            actor=actor,
            agency=agency,
            note=note,
            data=events.follows_data(
                parent=parent.public_id, by_parent_reporter=by_parent_reporter
            ),
        )


# ---- custody and transfers -------------------------------------------------------------------


def custody_open(*, report: Report, agency: Agency, officer: User | None, at: datetime) -> Custody:
    """Open a custody interval (the ticket has none open: filed, or reopened)."""
    return Custody.objects.create(report=report, agency=agency, officer=officer, started_at=at)


def custody_end(*, report: Report, at: datetime) -> None:
    """End the open custody interval, if any."""
    Custody.objects.filter(report=report, ended_at__isnull=True).update(ended_at=at)


def custody_move(*, report: Report, agency: Agency, officer: User | None, at: datetime) -> Custody:
    """End the open interval and open one for (``agency``, ``officer``) if either changed."""
    current = Custody.objects.filter(report=report, ended_at__isnull=True).first()
    if current is not None:
        if current.agency_id == agency.pk and current.officer_id == (
            officer.pk if officer else None
        ):
            return current
        current.ended_at = at
        current.save(update_fields=["ended_at"])
    return custody_open(report=report, agency=agency, officer=officer, at=at)


def transfer_event(
    *,
    report: Report,
    actor: User | None,
    from_agency: Agency,
    to_agency: Agency,
    mode: str,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> ReportEvent:
    """The internal event of a change of unit (``mode``: disposisi, koordinasi, reopen, ...)."""
    return ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.TRANSFERRED,
        actor=actor,
        agency=from_agency,
        visibility=ReportEvent.Visibility.INTERNAL,
        note=note,
        data=events.transfer_data(
            mode=mode,
            from_agency=(from_agency.pk, from_agency.code),
            to_agency=(to_agency.pk, to_agency.code),
            extra=data,
        ),
    )


# ---- photo files ---------------------------------------------------------------------------


def photo_store(
    *,
    report: Report,
    processed: ProcessedPhoto,
    index: int,
    kind: str,
    saved: list[str],
    exif_location: Any = None,
    location_mismatch: bool = False,
) -> ReportPhoto:
    """Write a processed photo and its thumbnail under server-generated names.

    Returns the unsaved ``ReportPhoto``; each stored name is appended to ``saved`` at once,
    so the caller can remove the files if its transaction does not commit.
    """
    now = timezone.now()
    stem = f"reports/{now:%Y}/{now:%m}/{uuid.uuid4().hex}"
    image_name = default_storage.save(
        f"{stem}.{processed.extension}", ContentFile(processed.content)
    )
    saved.append(image_name)
    thumb_name = default_storage.save(f"{stem}_thumb.jpg", ContentFile(processed.thumbnail))
    saved.append(thumb_name)
    return ReportPhoto(
        report=report,
        index=index,
        kind=kind,
        image=image_name,
        thumbnail=thumb_name,
        content_type=processed.content_type,
        width=processed.width,
        height=processed.height,
        size_bytes=len(processed.content),
        sha256=processed.sha256,
        upload_sha256=processed.upload_sha256,
        exif_location=exif_location,
        location_mismatch=location_mismatch,
        taken_at=processed.taken_at,
    )


def files_delete(names: list[str]) -> None:
    """Remove files written by a transaction that did not commit (best effort)."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("reports: could not remove an orphaned photo file")
