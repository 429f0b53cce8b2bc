"""Moving a report to a status directly, for tests that need a ticket in some state.

Not a service: no production code moves a ticket without its workflow's rules (evidence for
``selesai``, a reason code for ``ditolak``, custody for a transfer). It uses the same engine
the services do (``apps.reports.services.common``): the transition table, the public status
event and the reporter's notification, custody, merged duplicates following.
"""

from django.db import transaction

from apps.accounts.models import Agency, User
from apps.core.text import text_clean
from apps.reports.models import Report
from apps.reports.services.common import change_status, check_move, lock


@transaction.atomic
def report_transition(
    *,
    report: Report,
    to: str,
    actor: User | None,
    agency: Agency | None = None,
    note: str = "",
) -> Report:
    """Move ``report`` to status ``to`` as ``actor`` of ``agency`` (default: the current unit).

    The low-level step: it checks the transition table, writes the public status event (the
    reporter is notified through the outbox), keeps the completion/closing times and custody
    in line and carries merged duplicates along. Checks that belong to a particular workflow
    (evidence for ``selesai``, reason codes for ``ditolak``) live in that workflow.
    """
    report = lock(report)
    check_move(report, to)
    note = text_clean(value=note, field="note", max_length=2000, required=False)
    change_status(report=report, to=to, actor=actor, agency=agency or report.agency, note=note)
    return report
