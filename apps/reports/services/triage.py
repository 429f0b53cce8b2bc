"""What officers do with a ticket (docs/triage.md): one service per action.

Every action is ``@transaction.atomic``, locks the ticket row (``select_for_update``), checks
the move against ``Report.TRANSITIONS``, writes its ``ReportEvent`` (actor, acting unit,
from/to, note, visibility) and keeps the ``Custody`` intervals in line, all in the same
transaction. Transfers never touch ``sla_due_at``: the citizen's clock is not reset.

Who may act is decided by ``apps.reports.selectors_staff`` (the one scope); the services
check it again *after* taking the lock, so two officers acting at once cannot both win:
the loser gets a 409 and nothing of its action is stored.
"""

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Agency, User
from apps.core.errors import ApplicationError, Conflict, NotFound
from apps.reports.errors import InvalidTransition
from apps.reports.images import distance_m, photo_process
from apps.reports.models import Custody, Report, ReportEvent, ReportMessage, ReportPhoto
from apps.reports.selectors_staff import StaffScope, staff_scope_for_user
from apps.reports.services.common import notify_reporter, status_title, text_clean
from apps.reports.services.engagement import report_message_send

logger = logging.getLogger(__name__)

S = Report.Status
NOTE_MAX = 2000
AFTER_PHOTO_MAX_DISTANCE_M = 200
AUTO_CONFIRM_AFTER = timedelta(days=3)


class RejectReason(models.TextChoices):
    SPAM = "spam", _("Spam or abuse")
    DUPLICATE = "duplicate", _("Duplicate of another report")
    NOT_PUBLIC_MATTER = "not_public_matter", _("Not a public matter")
    OUTSIDE_AUTHORITY = "outside_jakarta_authority", _("Outside the Jakarta government's authority")


class ReturnReason(models.TextChoices):
    NOT_OUR_SECTOR = "not_our_sector", _("Another sector's task")
    WRONG_AREA = "wrong_area", _("Outside our area")
    WRONG_CATEGORY = "wrong_category", _("Wrong category")
    OTHER = "other", _("Other (see the note)")


class EvidenceRequired(ApplicationError):
    code = "evidence_required"
    status = 400
    default_message = _("Completing a report needs a follow-up note and an after-photo.")


class EvidenceTooFar(ApplicationError):
    code = "evidence_too_far"
    status = 400
    default_message = _("The after-photo was taken too far from the report.")


class EvidenceTooOld(ApplicationError):
    code = "evidence_too_old"
    status = 400
    default_message = _("The after-photo was taken before the report was filed.")


class TicketMoved(Conflict):
    code = "ticket_moved"  # type: ignore[assignment]  # a more specific code than "conflict"
    default_message = _("Someone else moved this ticket meanwhile; reload it.")


# ---- helpers ---------------------------------------------------------------------------------


def lock(report: Report) -> Report:
    """Re-read ``report`` under a row lock, without joins.

    A joined ``SELECT ... FOR NO KEY UPDATE`` re-checks the join after waiting for a
    concurrent writer; if that writer changed the unit, PostgreSQL drops the row and the
    read finds nothing. Locking the bare row and loading relations afterwards avoids that.
    """
    return Report.objects.select_for_update(no_key=True).get(pk=report.pk)


def _locked_for(*, report: Report, actor: User, scope: StaffScope | None = None) -> Report:
    """Lock ``report`` and check that ``actor`` may still act on it.

    The caller found the ticket through the scope selector; if the ticket moved to another
    unit between that read and the lock, the loser of the race gets a 409, not a 404.
    """
    scope = scope or staff_scope_for_user(user=actor)
    could_act = scope.can_act(report)
    locked = lock(report)
    if scope.can_act(locked):
        return locked
    if could_act:
        raise TicketMoved()
    raise NotFound()


def _check_move(report: Report, to: str) -> None:
    if to not in Report.TRANSITIONS[report.status]:
        raise InvalidTransition(current=report.status, requested=to)


def _note(value: str, *, field: str = "note", required: bool = False) -> str:
    return text_clean(value=value, field=field, max_length=NOTE_MAX, required=required)


def _custody_move(
    *, report: Report, agency: Agency, officer: User | None, at: datetime
) -> Custody | None:
    """End the open interval and open one for (``agency``, ``officer``) if either changed."""
    current = Custody.objects.filter(report=report, ended_at__isnull=True).first()
    if current is not None:
        if current.agency_id == agency.pk and current.officer_id == (
            officer.pk if officer else None
        ):
            return current
        current.ended_at = at
        current.save(update_fields=["ended_at"])
    return Custody.objects.create(report=report, agency=agency, officer=officer, started_at=at)


def _status_event(
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


def _set_status(report: Report, to: str, now: datetime) -> list[str]:
    """Set ``status`` and the completion/closing times; returns the fields to save."""
    fields = ["status", "updated_at"]
    report.status = to
    if to == S.SELESAI:
        report.completed_at = now
        fields.append("completed_at")
    if to in (S.DITOLAK, S.DIKONFIRMASI):
        report.closed_at = now
        fields.append("closed_at")
    return fields


def _change_status(
    *,
    report: Report,
    to: str,
    actor: User | None,
    agency: Agency | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    notify: bool = True,
    now: datetime | None = None,
) -> ReportEvent:
    """Move a locked ``report`` to ``to`` (already checked), its children with it."""
    now = now or timezone.now()
    previous = report.status
    report.save(update_fields=_set_status(report, to, now))
    if to in Report.CLOSED_STATUSES:
        Custody.objects.filter(report=report, ended_at__isnull=True).update(ended_at=now)
    event = _status_event(
        report=report,
        from_status=previous,
        to_status=to,
        actor=actor,
        agency=agency,
        note=note,
        data=data,
        notify=notify,
    )
    _children_follow(parent=report, actor=actor, agency=agency, note=note, now=now)
    return event


def _children_follow(
    *, parent: Report, actor: User | None, agency: Agency | None, note: str, now: datetime
) -> None:
    """Merged duplicates take their parent's status; each reporter is told (exactly once)."""
    children = list(
        Report.objects.select_for_update(no_key=True)
        .filter(parent=parent)
        .exclude(status=parent.status)
        .order_by("pk")
    )
    for child in children:
        previous = child.status
        child.save(update_fields=_set_status(child, parent.status, now))
        _status_event(
            report=child,
            from_status=previous,
            to_status=parent.status,
            actor=actor,
            agency=agency,
            note=note,
            data={"follows": parent.public_id},
        )


def _transfer_event(
    *,
    report: Report,
    actor: User,
    from_agency: Agency,
    to_agency: Agency,
    mode: str,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.TRANSFERRED,
        actor=actor,
        agency=from_agency,
        visibility=ReportEvent.Visibility.INTERNAL,
        note=note,
        data={
            "mode": mode,
            "from_agency": from_agency.code,
            "to_agency": to_agency.code,
            "to_agency_id": to_agency.pk,
            "from_agency_id": from_agency.pk,
            **(data or {}),
        },
    )


def _move_to(*, report: Report, agency: Agency, now: datetime) -> None:
    """Hand the locked ``report`` to ``agency`` (no officer yet); the SLA clock is kept."""
    report.agency = agency
    report.assignee = None
    report.save(update_fields=["agency", "assignee", "updated_at"])
    _custody_move(report=report, agency=agency, officer=None, at=now)


def _active_agency(agency: Agency, field: str) -> Agency:
    if not agency.is_active:
        raise ApplicationError(fields={field: [str(_("This unit is not active."))]})
    return agency


# ---- assignment ----------------------------------------------------------------------------


@transaction.atomic
def report_assign(*, report: Report, actor: User, assignee: User) -> Report:
    """Give the ticket to ``assignee``, an officer of the ticket's unit.

    Assigning someone else needs the supervisor grant on the unit; anyone who may act on
    the ticket may assign it to themselves (``report_take``).
    """
    scope = staff_scope_for_user(user=actor)
    report = _locked_for(report=report, actor=actor, scope=scope)
    if report.status in Report.CLOSED_STATUSES:
        raise InvalidTransition(
            current=report.status,
            requested=report.status,
            message=_("A closed report (%(status)s) cannot be assigned.")
            % {"status": report.status},
        )
    if assignee.pk != actor.pk and not scope.can_supervise(report):
        raise ApplicationError(
            fields={"assignee": [str(_("Only a supervisor of the unit can assign others."))]}
        )
    if not assignee.is_active or not staff_scope_for_user(user=assignee).can_act(report):
        raise ApplicationError(
            fields={"assignee": [str(_("This person is not an officer of the ticket's unit."))]}
        )
    if report.assignee_id == assignee.pk:
        return report
    now = timezone.now()
    previous = report.assignee_id
    report.assignee = assignee
    report.save(update_fields=["assignee", "updated_at"])
    _custody_move(report=report, agency=report.agency, officer=assignee, at=now)
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.ASSIGNED,
        actor=actor,
        agency=report.agency,
        visibility=ReportEvent.Visibility.INTERNAL,
        data={"assignee": assignee.username, "previous_assignee_id": previous},
    )
    return report


def report_take(*, report: Report, actor: User) -> Report:
    """Claim the ticket for oneself."""
    return report_assign(report=report, actor=actor, assignee=actor)


# ---- status actions ------------------------------------------------------------------------


@transaction.atomic
def report_start(*, report: Report, actor: User, note: str) -> Report:
    """Start work (``proses``) with a public note; an unassigned ticket becomes the actor's."""
    report = _locked_for(report=report, actor=actor)
    _check_move(report, S.PROSES)
    note = _note(note, required=True)
    now = timezone.now()
    if report.assignee_id is None:
        report.assignee = actor
        report.save(update_fields=["assignee", "updated_at"])
        _custody_move(report=report, agency=report.agency, officer=actor, at=now)
    _change_status(
        report=report, to=S.PROSES, actor=actor, agency=report.agency, note=note, now=now
    )
    return report


@transaction.atomic
def report_disposisi(*, report: Report, actor: User, to_agency: Agency, note: str = "") -> Report:
    """A Dinas hands the ticket down to one of its own Suku Dinas (``disposisi``)."""
    report = _locked_for(report=report, actor=actor)
    _check_move(report, S.DISPOSISI)
    note = _note(note)
    source = report.agency
    family = source.pk if source.kind in (Agency.Kind.DINAS, Agency.Kind.SATPOL_PP) else None
    if source.parent_id is not None:
        family = source.parent_id
    if (
        family is None
        or to_agency.parent_id != family
        or to_agency.pk == source.pk
        or to_agency.kind not in (Agency.Kind.SUKU_DINAS, Agency.Kind.SATPOL_PP)
    ):
        raise ApplicationError(
            _("Disposisi goes from a Dinas to one of its own Suku Dinas."),
            fields={"to_agency": [str(_("Not a Suku Dinas of this ticket's Dinas."))]},
        )
    _active_agency(to_agency, "to_agency")
    now = timezone.now()
    _transfer_event(
        report=report,
        actor=actor,
        from_agency=source,
        to_agency=to_agency,
        mode="disposisi",
        note=note,
    )
    _move_to(report=report, agency=to_agency, now=now)
    _change_status(
        report=report,
        to=S.DISPOSISI,
        actor=actor,
        agency=source,
        note=note,
        data={"to_agency": to_agency.code},
        now=now,
    )
    return report


@transaction.atomic
def report_koordinasi(*, report: Report, actor: User, to_agency: Agency, reason: str) -> Report:
    """Ask another unit to take the ticket (``koordinasi``); it accepts or declines."""
    report = _locked_for(report=report, actor=actor)
    if report.status != S.KOORDINASI:
        _check_move(report, S.KOORDINASI)
    reason = _note(reason, field="reason", required=True)
    source = report.agency
    if to_agency.pk == source.pk:
        raise ApplicationError(
            _("Koordinasi goes to another unit."),
            fields={"to_agency": [str(_("The ticket is already with this unit."))]},
        )
    _active_agency(to_agency, "to_agency")
    now = timezone.now()
    _transfer_event(
        report=report,
        actor=actor,
        from_agency=source,
        to_agency=to_agency,
        mode="koordinasi",
        note=reason,
        data={"previous_status": report.status},
    )
    _move_to(report=report, agency=to_agency, now=now)
    if report.status != S.KOORDINASI:
        _change_status(
            report=report,
            to=S.KOORDINASI,
            actor=actor,
            agency=source,
            data={"to_agency": to_agency.code},
            now=now,
        )
    return report


def koordinasi_pending(*, report: Report) -> ReportEvent | None:
    """The open koordinasi request addressed to the ticket's current unit, if any."""
    if report.status != S.KOORDINASI:
        return None
    last = (
        ReportEvent.objects.filter(report=report, kind=ReportEvent.Kind.TRANSFERRED)
        .order_by("-created_at", "-pk")
        .first()
    )
    if last is None or last.data.get("mode") != "koordinasi":
        return None
    if last.data.get("to_agency_id") != report.agency_id:
        return None
    return last


def _pending_or_409(report: Report, requested: str) -> ReportEvent:
    pending = koordinasi_pending(report=report)
    if pending is None:
        raise InvalidTransition(
            current=report.status,
            requested=requested,
            message=_("There is no open koordinasi request for this unit on this ticket."),
        )
    return pending


@transaction.atomic
def report_koordinasi_accept(*, report: Report, actor: User, note: str) -> Report:
    """The receiving unit takes the ticket over and starts work (``koordinasi`` → ``proses``)."""
    report = _locked_for(report=report, actor=actor)
    pending = _pending_or_409(report, S.PROSES)
    note = _note(note, required=True)
    now = timezone.now()
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.TRANSFERRED,
        actor=actor,
        agency=report.agency,
        visibility=ReportEvent.Visibility.INTERNAL,
        data={"mode": "koordinasi_accepted", "request_event_id": pending.pk},
    )
    report.assignee = actor
    report.save(update_fields=["assignee", "updated_at"])
    _custody_move(report=report, agency=report.agency, officer=actor, at=now)
    _change_status(
        report=report, to=S.PROSES, actor=actor, agency=report.agency, note=note, now=now
    )
    return report


@transaction.atomic
def report_koordinasi_decline(*, report: Report, actor: User, reason: str) -> Report:
    """The receiving unit declines: the ticket goes back to the requesting unit (``proses``)."""
    report = _locked_for(report=report, actor=actor)
    pending = _pending_or_409(report, S.PROSES)
    reason = _note(reason, field="reason", required=True)
    back_to = Agency.objects.get(pk=pending.data["from_agency_id"])
    now = timezone.now()
    _transfer_event(
        report=report,
        actor=actor,
        from_agency=report.agency,
        to_agency=back_to,
        mode="koordinasi_declined",
        note=reason,
        data={"request_event_id": pending.pk},
    )
    declined_by = report.agency
    _move_to(report=report, agency=back_to, now=now)
    _change_status(
        report=report,
        to=S.PROSES,
        actor=actor,
        agency=declined_by,
        data={"koordinasi_declined_by": declined_by.code},
        notify=False,
        now=now,
    )
    return report


@transaction.atomic
def report_return_to_triage(
    *, report: Report, actor: User, reason_code: str, note: str = ""
) -> Report:
    """``bukan wewenang``: not this unit's task; back to central triage with a reason code."""
    report = _locked_for(report=report, actor=actor)
    if reason_code not in ReturnReason.values:
        raise ApplicationError(fields={"reason_code": [str(_("Unknown reason code."))]})
    if report.status != S.KOORDINASI:
        _check_move(report, S.KOORDINASI)
    note = _note(note, required=reason_code == ReturnReason.OTHER)
    triage = Agency.objects.filter(code=settings.TRIAGE_AGENCY_CODE).first()
    if triage is None or triage.pk == report.agency_id:
        raise ApplicationError(
            _("The ticket is already with central triage."),
            fields={"reason_code": [str(_("Central triage cannot return a ticket to itself."))]},
        )
    source = report.agency
    now = timezone.now()
    _transfer_event(
        report=report,
        actor=actor,
        from_agency=source,
        to_agency=triage,
        mode="bukan_wewenang",
        note=note,
        data={"reason_code": reason_code},
    )
    _move_to(report=report, agency=triage, now=now)
    if report.status != S.KOORDINASI:
        _change_status(
            report=report,
            to=S.KOORDINASI,
            actor=actor,
            agency=source,
            data={"reason_code": reason_code},
            now=now,
        )
    return report


@transaction.atomic
def report_request_info(*, report: Report, actor: User, question: str) -> ReportMessage:
    """Ask the reporter for information (``menunggu_info_pelapor``; the SLA clock pauses).

    The question goes through the relay (``report_message_send``): the officer never sees
    who the reporter is.
    """
    report = _locked_for(report=report, actor=actor)
    _check_move(report, S.MENUNGGU_INFO_PELAPOR)
    question = _note(question, field="question", required=True)
    _change_status(
        report=report, to=S.MENUNGGU_INFO_PELAPOR, actor=actor, agency=report.agency, notify=False
    )
    return report_message_send(
        report=report,
        author=actor,
        body=question,
        direction=ReportMessage.Direction.TO_REPORTER,
    )


@transaction.atomic
def report_resume(*, report: Report, actor: User, note: str = "") -> Report:
    """Continue after the reporter's answer (``menunggu_info_pelapor`` → ``proses``)."""
    report = _locked_for(report=report, actor=actor)
    if report.status != S.MENUNGGU_INFO_PELAPOR:
        raise InvalidTransition(current=report.status, requested=S.PROSES)
    note = _note(note)
    _change_status(report=report, to=S.PROSES, actor=actor, agency=report.agency, note=note)
    return report


def _photo_names(extension: str) -> tuple[str, str]:
    now = timezone.now()
    stem = f"reports/{now:%Y}/{now:%m}/{uuid.uuid4().hex}"
    return f"{stem}.{extension}", f"{stem}_thumb.jpg"


def report_complete(
    *,
    report: Report,
    actor: User,
    note: str,
    photo: UploadedFile | None,
    geotag: Point | None = None,
) -> Report:
    """Post the follow-up (``selesai``) with a note and an after-photo as evidence.

    The photo must be taken within 200 m of the report (by its EXIF GPS position, else the
    officer's ``geotag``) and not before the report was filed (by its EXIF time, when it has
    one). Otherwise a 400 says which rule failed, and nothing is stored.
    """
    if photo is None or not note.strip():
        raise EvidenceRequired(
            fields={
                **({"photo": [str(_("An after-photo is required."))]} if photo is None else {}),
                **({"note": [str(_("A follow-up note is required."))]} if not note.strip() else {}),
            }
        )
    note = _note(note, required=True)
    processed = photo_process(upload=photo, index=1)
    where = processed.exif_location or geotag
    if where is None:
        raise EvidenceRequired(
            _("The after-photo has no GPS position: send the officer's geotag (lat, lon)."),
            fields={"lat": [str(_("Required when the photo carries no GPS position."))]},
        )
    distance = distance_m(where, report.location)
    if distance > AFTER_PHOTO_MAX_DISTANCE_M:
        raise EvidenceTooFar(
            _(
                "The after-photo was taken %(distance)s m from the report; "
                "it must be within %(limit)s m."
            )
            % {"distance": round(distance), "limit": AFTER_PHOTO_MAX_DISTANCE_M},
            fields={"photo": [str(_("Too far from the report."))]},
        )
    if processed.taken_at is not None and processed.taken_at < (
        report.created_at - settings.REPORT_CLOCK_SKEW
    ):
        raise EvidenceTooOld(
            _("The after-photo was taken at %(taken)s, before the report was filed (%(filed)s).")
            % {
                "taken": timezone.localtime(processed.taken_at).strftime("%Y-%m-%d %H:%M"),
                "filed": timezone.localtime(report.created_at).strftime("%Y-%m-%d %H:%M"),
            },
            fields={"photo": [str(_("Taken before the report."))]},
        )
    saved: list[str] = []
    try:
        with transaction.atomic():
            return _complete(
                report=report,
                actor=actor,
                note=note,
                processed=processed,
                where=where,
                distance=distance,
                from_exif=processed.exif_location is not None,
                saved=saved,
            )
    except BaseException:
        for name in saved:
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("reports: could not remove an orphaned after-photo file")
        raise


def _complete(
    *,
    report: Report,
    actor: User,
    note: str,
    processed: Any,
    where: Point,
    distance: float,
    from_exif: bool,
    saved: list[str],
) -> Report:
    report = _locked_for(report=report, actor=actor)
    _check_move(report, S.SELESAI)
    image_name, thumb_name = _photo_names(processed.extension)
    image_name = default_storage.save(image_name, ContentFile(processed.content))
    saved.append(image_name)
    thumb_name = default_storage.save(thumb_name, ContentFile(processed.thumbnail))
    saved.append(thumb_name)
    index = (ReportPhoto.objects.filter(report=report).aggregate(n=Max("index"))["n"] or 0) + 1
    photo = ReportPhoto.objects.create(
        report=report,
        index=index,
        kind=ReportPhoto.Kind.AFTER,
        image=image_name,
        thumbnail=thumb_name,
        content_type=processed.content_type,
        width=processed.width,
        height=processed.height,
        size_bytes=len(processed.content),
        sha256=processed.sha256,
        upload_sha256=processed.upload_sha256,
        exif_location=where if from_exif else None,
        location_mismatch=False,
        taken_at=processed.taken_at,
    )
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.PHOTO,
        actor=actor,
        agency=report.agency,
        visibility=ReportEvent.Visibility.INTERNAL,
        data={
            "photo": photo.index,
            "kind": "after",
            "distance_m": round(distance, 1),
            "location_source": "exif" if from_exif else "geotag",
            "geotag": [round(where.x, 7), round(where.y, 7)],
        },
    )
    _change_status(
        report=report,
        to=S.SELESAI,
        actor=actor,
        agency=report.agency,
        note=note,
        data={"after_photo": photo.index},
    )
    return report


@transaction.atomic
def report_reject(*, report: Report, actor: User, reason_code: str, note: str = "") -> Report:
    """Reject (``ditolak``) with a reason code; the note is shown to the reporter."""
    report = _locked_for(report=report, actor=actor)
    _check_move(report, S.DITOLAK)
    if reason_code not in RejectReason.values:
        raise ApplicationError(fields={"reason_code": [str(_("Unknown reason code."))]})
    note = _note(note)
    _change_status(
        report=report,
        to=S.DITOLAK,
        actor=actor,
        agency=report.agency,
        note=note,
        data={"reason_code": reason_code},
    )
    return report


@transaction.atomic
def report_merge(*, report: Report, parent: Report, actor: User, note: str = "") -> Report:
    """Merge the duplicate ``report`` into ``parent``, which carries the one SLA clock.

    The duplicate takes the parent's status now and follows it from then on; its reporter
    is notified now and at every later change. The actor must be able to act on the
    duplicate and see the parent.
    """
    scope = staff_scope_for_user(user=actor)
    if parent.pk == report.pk:
        raise ApplicationError(
            fields={"parent": [str(_("A report cannot be merged into itself."))]}
        )
    first, second = sorted([report, parent], key=lambda r: r.pk)
    lock(first)
    lock(second)
    child = _locked_for(report=report, actor=actor, scope=scope)
    parent = lock(parent)
    note = _note(note)
    if child.parent_id is not None:
        raise InvalidTransition(
            current=child.status,
            requested=child.status,
            message=_("This report is already merged into another."),
        )
    if child.status in Report.CLOSED_STATUSES:
        raise InvalidTransition(
            current=child.status,
            requested=parent.status,
            message=_("A closed report (%(status)s) cannot be merged.") % {"status": child.status},
        )
    if parent.parent_id is not None:
        raise ApplicationError(
            fields={"parent": [str(_("That report is itself merged: merge into its parent."))]}
        )
    if parent.status in Report.CLOSED_STATUSES:
        raise ApplicationError(fields={"parent": [str(_("The parent report is closed."))]})
    if Report.objects.filter(parent=child).exists():
        raise ApplicationError(
            fields={
                "parent": [str(_("This report has duplicates of its own: merge the other way."))]
            }
        )
    now = timezone.now()
    previous = child.status
    child.parent = parent
    fields = _set_status(child, parent.status, now)
    child.save(update_fields=[*fields, "parent"])
    Custody.objects.filter(report=child, ended_at__isnull=True).update(ended_at=now)
    _status_event(
        report=child,
        from_status=previous,
        to_status=parent.status,
        actor=actor,
        agency=child.agency,
        note=note,
        data={"merged_into": parent.public_id},
    )
    ReportEvent.objects.create(
        report=parent,
        kind=ReportEvent.Kind.TRANSFERRED,
        actor=actor,
        agency=parent.agency,
        visibility=ReportEvent.Visibility.INTERNAL,
        data={"mode": "merged", "duplicate": child.public_id},
    )
    Report.objects.filter(pk=parent.pk).update(support_count=F("support_count") + 1)
    return child


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
            _change_status(
                report=report,
                to=S.DIKONFIRMASI,
                actor=None,
                agency=None,
                data={"by": "auto", "after_days": AUTO_CONFIRM_AFTER.days},
                now=now,
            )
            done += 1
    return done
