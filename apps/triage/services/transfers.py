"""Officer actions that move a ticket between units (docs/triage.md): disposisi, koordinasi
(request, accept, decline) and the return to central triage (``bukan wewenang``).
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Agency, User
from apps.core.errors import ApplicationError
from apps.reports import events
from apps.reports.errors import InvalidTransition
from apps.reports.models import Report, ReportEvent
from apps.reports.services.common import (
    change_status,
    check_move,
)
from apps.triage.selectors.scope import disposisi_targets
from apps.triage.services.common import (
    ReturnReason,
    S,
    _active_agency,
    _assign_to,
    _hand_over,
    _locked_for,
    _note,
)


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
        mode=events.TransferMode.DISPOSISI,
        note=note,
        now=timezone.now(),
        status=S.DISPOSISI,
        status_note=note,
        status_data=events.handed_to_data(to_agency=to_agency.code),
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
        mode=events.TransferMode.KOORDINASI,
        note=reason,
        now=timezone.now(),
        transfer_data={events.Key.PREVIOUS_STATUS: report.status},
        status=S.KOORDINASI,
        status_data=events.handed_to_data(to_agency=to_agency.code),
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
    transfer = events.transfer_read(last) if last is not None else None
    if transfer is None or transfer.mode != events.TransferMode.KOORDINASI:
        return None
    if transfer.to_agency_id != report.agency_id:
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
        data=events.koordinasi_accepted_data(request_event_id=pending.pk),
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
    request = events.transfer_read(pending)
    if request is None or request.from_agency_id is None:  # koordinasi_pending read it already
        raise InvalidTransition(current=report.status, requested=S.PROSES)
    back_to = Agency.objects.get(pk=request.from_agency_id)
    _hand_over(
        report=report,
        actor=actor,
        to_agency=back_to,
        mode=events.TransferMode.KOORDINASI_DECLINED,
        note=reason,
        now=timezone.now(),
        transfer_data={events.Key.REQUEST_EVENT_ID: pending.pk},
        status=S.PROSES,
        status_data={events.Key.KOORDINASI_DECLINED_BY: report.agency.code},
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
        mode=events.TransferMode.BUKAN_WEWENANG,
        note=note,
        now=timezone.now(),
        transfer_data=events.reason_data(reason_code=reason_code),
        status=S.KOORDINASI,
        status_data=events.reason_data(reason_code=reason_code),
    )
    return report
