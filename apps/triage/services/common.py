"""What every officer action shares (docs/triage.md): locking, the scope re-check, hand-over.

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

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Agency, User
from apps.core.errors import ApplicationError, Conflict, NotFound
from apps.core.text import text_clean
from apps.reports.models import Report
from apps.reports.services.common import (
    change_status,
    custody_move,
    lock,
    transfer_event,
)
from apps.triage.selectors.scope import StaffScope, staff_scope_for_user

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
