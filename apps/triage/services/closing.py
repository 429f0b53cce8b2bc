"""Officer actions that end a ticket (docs/triage.md): complete with evidence, reject, merge."""

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.reports import events, evidence
from apps.reports.errors import InvalidTransition
from apps.reports.images import ProcessedPhoto, distance_m, photo_process
from apps.reports.models import Report, ReportEvent, ReportPhoto
from apps.reports.services.common import (
    change_status,
    check_move,
    custody_end,
    files_delete,
    lock,
    photo_store,
)
from apps.triage.selectors.scope import staff_scope_for_user
from apps.triage.services.common import (
    AFTER_PHOTO_MAX_DISTANCE_M,
    RejectReason,
    S,
    _locked_for,
    _may_still_act,
    _note,
)


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
        data=events.after_photo_data(
            photo=photo.index,
            kind=ReportPhoto.Kind.AFTER,
            distance_m=round(distance, 1) if distance is not None else None,
            location_source="exif" if from_exif else "geotag",
            geotag=(round(where.x, 7), round(where.y, 7)),
        ),
    )
    change_status(
        report=report,
        to=S.SELESAI,
        actor=actor,
        agency=report.agency,
        note=note,
        data=events.completed_data(after_photo=photo.index),
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
        data=events.reason_data(reason_code=reason_code),
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
        data=events.merged_into_data(parent=parent.public_id),
        now=now,
        fields=("parent",),
    )
    ReportEvent.objects.create(
        report=parent,
        kind=ReportEvent.Kind.TRANSFERRED,
        actor=actor,
        agency=parent.agency,
        visibility=ReportEvent.Visibility.INTERNAL,
        data=events.merged_data(duplicate=child.public_id),
    )
    Report.objects.filter(pk=parent.pk).update(support_count=F("support_count") + 1)
    evidence.link_later(report_id=child.pk)  # the parent takes over the duplicate's evidence
    return child
