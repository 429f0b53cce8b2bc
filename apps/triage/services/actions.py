"""What officers do with a ticket (docs/triage.md): one service per action.

Every action is ``@transaction.atomic``, locks the ticket row (``select_for_update``), checks
the move against ``Report.TRANSITIONS``, writes its ``ReportEvent`` (actor, acting unit,
from/to, note, visibility) and keeps the ``Custody`` intervals in line, all in the same
transaction. Transfers never touch the deadline: the citizen's clock is not reset.

Who may act is decided by ``apps.triage.selectors.scope`` (the one scope); the services
check it again *after* taking the lock, so two officers acting at once cannot both win:
the loser gets a 409 and nothing of its action is stored.
"""

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Agency, User
from apps.core.errors import ApplicationError, Conflict, NotFound
from apps.core.text import text_clean
from apps.reports import evidence
from apps.reports.errors import InvalidTransition
from apps.reports.images import ProcessedPhoto, distance_m, photo_process
from apps.reports.models import Report, ReportEvent, ReportMessage, ReportPhoto
from apps.reports.services.common import (
    change_status,
    check_move,
    custody_end,
    custody_move,
    files_delete,
    lock,
    photo_store,
    transfer_event,
)
from apps.reports.services.engagement import report_message_send
from apps.triage.selectors.scope import StaffScope, disposisi_targets, staff_scope_for_user

logger = logging.getLogger(__name__)

S = Report.Status
NOTE_MAX = 2000
AFTER_PHOTO_MAX_DISTANCE_M = 200


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


def _locked_for(*, report: Report, actor: User, scope: StaffScope | None = None) -> Report:
    """Lock ``report`` and check that ``actor`` may still act on it.

    The caller found the ticket through the scope selector; if the ticket moved to another
    unit between that read and the lock, the loser of the race gets a 409, not a 404.
    """
    scope = scope or staff_scope_for_user(user=actor)
    could_act = scope.can_act(report)
    locked = lock(report)
    _may_still_act(scope=scope, locked=locked, could_act=could_act)
    return locked


def _may_still_act(*, scope: StaffScope, locked: Report, could_act: bool) -> None:
    """Re-check the scope on the locked (current) row: 409 if it moved away, else 404."""
    if scope.can_act(locked):
        return
    if could_act:
        raise TicketMoved()
    raise NotFound()


def _note(value: str, *, field: str = "note", required: bool = False) -> str:
    return text_clean(value=value, field=field, max_length=NOTE_MAX, required=required)


def _assign_to(*, report: Report, officer: User, now: datetime) -> None:
    """Give the locked ``report`` to ``officer`` of its current unit (custody follows)."""
    report.assignee = officer
    report.save(update_fields=["assignee", "updated_at"])
    custody_move(report=report, agency=report.agency, officer=officer, at=now)


def _hand_over(
    *,
    report: Report,
    actor: User,
    to_agency: Agency,
    mode: str,
    note: str,
    now: datetime,
    transfer_data: dict[str, Any] | None = None,
    status: str | None = None,
    status_note: str = "",
    status_data: dict[str, Any] | None = None,
    notify: bool = True,
) -> None:
    """Move the locked ``report`` to ``to_agency`` (no officer yet; the SLA clock is kept).

    Writes the transfer event (``mode``), moves custody and, when ``status`` is given and
    differs, changes the status in the name of the unit that handed the ticket over.
    """
    source = report.agency
    transfer_event(
        report=report,
        actor=actor,
        from_agency=source,
        to_agency=to_agency,
        mode=mode,
        note=note,
        data=transfer_data,
    )
    report.agency = to_agency
    report.assignee = None
    report.save(update_fields=["agency", "assignee", "updated_at"])
    custody_move(report=report, agency=to_agency, officer=None, at=now)
    if status is not None and report.status != status:
        change_status(
            report=report,
            to=status,
            actor=actor,
            agency=source,
            note=status_note,
            data=status_data,
            notify=notify,
            now=now,
        )


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
    _assign_to(report=report, officer=assignee, now=now)
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
    check_move(report, S.PROSES)
    note = _note(note, required=True)
    now = timezone.now()
    if report.assignee_id is None:
        _assign_to(report=report, officer=actor, now=now)
    change_status(report=report, to=S.PROSES, actor=actor, agency=report.agency, note=note, now=now)
    return report


@transaction.atomic
def report_disposisi(*, report: Report, actor: User, to_agency: Agency, note: str = "") -> Report:
    """A Dinas hands the ticket down to one of its own Suku Dinas (``disposisi``)."""
    report = _locked_for(report=report, actor=actor)
    check_move(report, S.DISPOSISI)
    note = _note(note)
    source = report.agency
    if not disposisi_targets(agency=source).filter(pk=to_agency.pk).exists():
        raise ApplicationError(
            _("Disposisi goes from a Dinas to one of its own Suku Dinas."),
            fields={"to_agency": [str(_("Not a Suku Dinas of this ticket's Dinas."))]},
        )
    _active_agency(to_agency, "to_agency")
    _hand_over(
        report=report,
        actor=actor,
        to_agency=to_agency,
        mode="disposisi",
        note=note,
        now=timezone.now(),
        status=S.DISPOSISI,
        status_note=note,
        status_data={"to_agency": to_agency.code},
    )
    return report


@transaction.atomic
def report_koordinasi(*, report: Report, actor: User, to_agency: Agency, reason: str) -> Report:
    """Ask another unit to take the ticket (``koordinasi``); it accepts or declines."""
    report = _locked_for(report=report, actor=actor)
    if report.status != S.KOORDINASI:
        check_move(report, S.KOORDINASI)
    reason = _note(reason, field="reason", required=True)
    source = report.agency
    if to_agency.pk == source.pk:
        raise ApplicationError(
            _("Koordinasi goes to another unit."),
            fields={"to_agency": [str(_("The ticket is already with this unit."))]},
        )
    _active_agency(to_agency, "to_agency")
    _hand_over(
        report=report,
        actor=actor,
        to_agency=to_agency,
        mode="koordinasi",
        note=reason,
        now=timezone.now(),
        transfer_data={"previous_status": report.status},
        status=S.KOORDINASI,
        status_data={"to_agency": to_agency.code},
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
    _assign_to(report=report, officer=actor, now=now)
    change_status(report=report, to=S.PROSES, actor=actor, agency=report.agency, note=note, now=now)
    return report


@transaction.atomic
def report_koordinasi_decline(*, report: Report, actor: User, reason: str) -> Report:
    """The receiving unit declines: the ticket goes back to the requesting unit (``proses``)."""
    report = _locked_for(report=report, actor=actor)
    pending = _pending_or_409(report, S.PROSES)
    reason = _note(reason, field="reason", required=True)
    back_to = Agency.objects.get(pk=pending.data["from_agency_id"])
    _hand_over(
        report=report,
        actor=actor,
        to_agency=back_to,
        mode="koordinasi_declined",
        note=reason,
        now=timezone.now(),
        transfer_data={"request_event_id": pending.pk},
        status=S.PROSES,
        status_data={"koordinasi_declined_by": report.agency.code},
        notify=False,
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
        check_move(report, S.KOORDINASI)
    note = _note(note, required=reason_code == ReturnReason.OTHER)
    triage = Agency.objects.filter(code=settings.TRIAGE_AGENCY_CODE).first()
    if triage is None or triage.pk == report.agency_id:
        raise ApplicationError(
            _("The ticket is already with central triage."),
            fields={"reason_code": [str(_("Central triage cannot return a ticket to itself."))]},
        )
    _hand_over(
        report=report,
        actor=actor,
        to_agency=triage,
        mode="bukan_wewenang",
        note=note,
        now=timezone.now(),
        transfer_data={"reason_code": reason_code},
        status=S.KOORDINASI,
        status_data={"reason_code": reason_code},
    )
    return report


@transaction.atomic
def report_request_info(*, report: Report, actor: User, question: str) -> ReportMessage:
    """Ask the reporter for information (``menunggu_info_pelapor``; the SLA clock pauses).

    The question goes through the relay (``report_message_send``): the officer never sees
    who the reporter is.
    """
    report = _locked_for(report=report, actor=actor)
    check_move(report, S.MENUNGGU_INFO_PELAPOR)
    question = _note(question, field="question", required=True)
    change_status(
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
    change_status(report=report, to=S.PROSES, actor=actor, agency=report.agency, note=note)
    return report


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
    # A report filed by address has no reported point to compare with: the distance is kept
    # as evidence only.
    distance = distance_m(where, report.location) if report.location is not None else None
    if report.location_is_exact and distance is not None and distance > AFTER_PHOTO_MAX_DISTANCE_M:
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
        files_delete(saved)
        raise


def _complete(
    *,
    report: Report,
    actor: User,
    note: str,
    processed: ProcessedPhoto,
    where: Point,
    distance: float | None,
    from_exif: bool,
    saved: list[str],
) -> Report:
    report = _locked_for(report=report, actor=actor)
    check_move(report, S.SELESAI)
    index = (ReportPhoto.objects.filter(report=report).aggregate(n=Max("index"))["n"] or 0) + 1
    photo = photo_store(
        report=report,
        processed=processed,
        index=index,
        kind=ReportPhoto.Kind.AFTER,
        saved=saved,
        exif_location=where if from_exif else None,
    )
    photo.save(force_insert=True)
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.PHOTO,
        actor=actor,
        agency=report.agency,
        visibility=ReportEvent.Visibility.INTERNAL,
        data={
            "photo": photo.index,
            "kind": "after",
            "distance_m": round(distance, 1) if distance is not None else None,
            "location_source": "exif" if from_exif else "geotag",
            "geotag": [round(where.x, 7), round(where.y, 7)],
        },
    )
    change_status(
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
    check_move(report, S.DITOLAK)
    if reason_code not in RejectReason.values:
        raise ApplicationError(fields={"reason_code": [str(_("Unknown reason code."))]})
    note = _note(note)
    change_status(
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
    could_act = scope.can_act(report)
    # Both rows, always in the same order (no deadlock between two opposite merges).
    locked = {row.pk: lock(row) for row in sorted([report, parent], key=lambda r: r.pk)}
    child, parent = locked[report.pk], locked[parent.pk]
    _may_still_act(scope=scope, locked=child, could_act=could_act)
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
    child.parent = parent
    custody_end(report=child, at=now)  # the parent holds the one ticket from now on
    change_status(
        report=child,
        to=parent.status,
        actor=actor,
        agency=child.agency,
        note=note,
        data={"merged_into": parent.public_id},
        now=now,
        fields=("parent",),
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
    evidence.link_later(report_id=child.pk)  # the parent takes over the duplicate's evidence
    return child
