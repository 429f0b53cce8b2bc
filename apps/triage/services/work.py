"""Officer actions on the work itself (docs/triage.md): claim, assign, start, ask, resume."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.reports import events
from apps.reports.errors import InvalidTransition
from apps.reports.models import Report, ReportEvent, ReportMessage
from apps.reports.services.common import (
    change_status,
    check_move,
)
from apps.reports.services.engagement import report_message_send
from apps.triage.selectors.scope import staff_scope_for_user
from apps.triage.services.common import S, _assign_to, _locked_for, _note

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
        data=events.assigned_data(assignee=assignee.username, previous_assignee_id=previous),
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
