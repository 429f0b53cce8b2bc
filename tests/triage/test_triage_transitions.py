"""Every officer action from every status: allowed moves happen, refused ones are a 409
``invalid_transition`` naming both statuses and change nothing (``Report.TRANSITIONS``)."""

from collections.abc import Callable

import pytest
from django.contrib.gis.geos import Point

from apps.accounts.models import User
from apps.core.models import OutboxMessage
from apps.reports.errors import InvalidTransition
from apps.reports.models import Report, ReportEvent
from apps.triage import services
from tests.conftest import MONAS
from tests.triage.triage_helpers import (
    BINA_MARGA_JAKPUS,
    SDA,
    SDA_JAKSEL,
    after_photo,
    agency,
    near,
    officer,
    ticket,
)

pytestmark = pytest.mark.django_db

S = Report.Status

Action = Callable[[Report, User], object]

# action → (the status it moves to, the unit the ticket must sit with, the call)
ACTIONS: dict[str, tuple[str, str | None, Action]] = {
    "start": (S.PROSES, None, lambda r, u: services.report_start(report=r, actor=u, note="Mulai")),
    "disposisi": (
        S.DISPOSISI,
        SDA,
        lambda r, u: services.report_disposisi(report=r, actor=u, to_agency=agency(SDA_JAKSEL)),
    ),
    "koordinasi": (
        S.KOORDINASI,
        None,
        lambda r, u: services.report_koordinasi(
            report=r, actor=u, to_agency=agency(BINA_MARGA_JAKPUS), reason="Jalan amblas"
        ),
    ),
    "bukan_wewenang": (
        S.KOORDINASI,
        None,
        lambda r, u: services.report_return_to_triage(
            report=r, actor=u, reason_code="not_our_sector"
        ),
    ),
    "request_info": (
        S.MENUNGGU_INFO_PELAPOR,
        None,
        lambda r, u: services.report_request_info(report=r, actor=u, question="Di RT berapa?"),
    ),
    "resume": (S.PROSES, None, lambda r, u: services.report_resume(report=r, actor=u)),
    "complete": (
        S.SELESAI,
        None,
        lambda r, u: services.report_complete(
            report=r,
            actor=u,
            note="Beres",
            photo=after_photo(),
            geotag=Point(*near(MONAS, 20), srid=4326),
        ),
    ),
    "reject": (
        S.DITOLAK,
        None,
        lambda r, u: services.report_reject(report=r, actor=u, reason_code="spam"),
    ),
}


def _allowed(action: str, current: str, target: str) -> bool:
    if action == "resume":
        return current == S.MENUNGGU_INFO_PELAPOR
    if action in ("koordinasi", "bukan_wewenang") and current == S.KOORDINASI:
        return True  # forwarding a ticket that is already in koordinasi
    return target in Report.TRANSITIONS[current]


def _snapshot(report: Report) -> tuple:
    report.refresh_from_db()
    return (
        report.status,
        report.agency_id,
        report.assignee_id,
        report.provisional_due_at,
        report.completed_at,
        report.closed_at,
        report.events.count(),
        report.custody.count(),
        report.photos.count(),
        report.messages.count(),
        OutboxMessage.objects.count(),
    )


@pytest.mark.parametrize("current", S.values)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_action_from_every_status(action: str, current: str) -> None:
    target, unit, call = ACTIONS[action]
    report = ticket(at=unit)
    Report.objects.filter(pk=report.pk).update(status=current)
    report.refresh_from_db()
    actor = officer(unit) if unit else officer()
    before = _snapshot(report)
    if _allowed(action, current, target):
        call(report, actor)
        report.refresh_from_db()
        assert report.status == target
        if current == target:  # a forwarded koordinasi: a transfer, no status change
            event = report.events.filter(kind=ReportEvent.Kind.TRANSFERRED).get()
            assert (event.actor, report.agency_id) == (actor, event.data["to_agency_id"])
        else:
            event = report.events.filter(kind=ReportEvent.Kind.STATUS).order_by("pk").last()
            assert (event.from_status, event.to_status, event.actor) == (current, target, actor)
    else:
        with pytest.raises(InvalidTransition) as caught:
            call(report, actor)
        assert caught.value.status == 409
        assert caught.value.code == "invalid_transition"
        assert caught.value.extra == {"current": current, "requested": target}
        assert current in str(caught.value.message)
        assert target in str(caught.value.message)
        assert _snapshot(report) == before


def test_the_matrix_covers_each_allowed_officer_move() -> None:
    """Every pair in the table is reached by some action above, except the reporter's own
    moves (confirm, reopen, answer) and the automatic confirmation (tested elsewhere)."""
    reached = {
        (current, ACTIONS[action][0])
        for action in ACTIONS
        for current in S.values
        if _allowed(action, current, ACTIONS[action][0])
    }
    table = {(a, b) for a, targets in Report.TRANSITIONS.items() for b in targets}
    assert table - reached == {
        (S.MENUNGGU_INFO_PELAPOR, S.MENUNGGU),  # the reporter answers
        (S.SELESAI, S.DIKONFIRMASI),  # the reporter confirms, or 3 days pass
        (S.SELESAI, S.DIBUKA_KEMBALI),  # the reporter reopens
    }
