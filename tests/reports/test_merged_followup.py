"""Merged duplicates follow their parent when its reporter confirms or reopens it."""

import pytest
from rest_framework.test import APIClient

from apps.core.models import OutboxMessage
from apps.reports.models import Custody, Report, ReportEvent
from apps.triage import services
from tests.conftest import MONAS
from tests.reports.conftest import client_for
from tests.reports.factories import citizen, file_report
from tests.triage.triage_helpers import SDA_JAKPUS, after_photo, near, officer, ticket

pytestmark = pytest.mark.django_db

S = Report.Status


def _completed_family() -> tuple[Report, Report, Report, APIClient]:
    """A parent with two merged duplicates (one filed anonymously), followed up by the unit."""
    owner = citizen()
    parent = ticket(reporter=owner)
    child = ticket()
    anonymous_child = file_report(reporter=None, location=MONAS).report
    user = officer()
    for duplicate in (child, anonymous_child):
        services.report_merge(report=duplicate, parent=parent, actor=user, note="Sama")
    services.report_start(report=parent, actor=user, note="Mulai")
    services.report_complete(
        report=parent, actor=user, note="Beres", photo=after_photo(gps=near(MONAS, 10))
    )
    for row in (parent, child, anonymous_child):
        row.refresh_from_db()
        assert row.status == S.SELESAI
    assert owner.user is not None
    return parent, child, anonymous_child, client_for(owner.user)


def _inbox_rows(report: Report) -> list[dict[str, str]]:
    return [
        {"title": row.payload["title"], "dedup_key": row.payload["dedup_key"]}
        for row in OutboxMessage.objects.filter(payload__report_public_id=report.public_id)
        .filter(payload__kind="status")
        .order_by("pk")
    ]


def test_confirming_the_parent_confirms_its_duplicates_and_tells_their_reporters():
    parent, child, anonymous_child, client = _completed_family()
    child_inbox_before = len(_inbox_rows(child))
    response = client.post(
        f"/api/v1/reports/{parent.public_id}/confirm/", {"rating": 5, "comment": "Cepat"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == S.DIKONFIRMASI
    for row in (parent, child, anonymous_child):
        row.refresh_from_db()
    assert (parent.status, parent.rating, parent.rating_comment) == (S.DIKONFIRMASI, 5, "Cepat")
    for duplicate in (child, anonymous_child):
        assert duplicate.status == S.DIKONFIRMASI
        assert duplicate.closed_at == parent.closed_at
        assert (duplicate.rating, duplicate.rating_comment) == (
            None,
            "",
        )  # the rating is the parent's
        event = duplicate.events.filter(kind=ReportEvent.Kind.STATUS).last()
        assert (event.from_status, event.to_status, event.actor_id, event.agency_id) == (
            S.SELESAI,
            S.DIKONFIRMASI,
            None,
            None,
        )
        assert event.data == {"follows": parent.public_id, "by": "parent_reporter"}
        assert not duplicate.events.filter(kind=ReportEvent.Kind.RATING).exists()
        assert not Custody.objects.filter(report=duplicate, ended_at__isnull=True).exists()
    # The signed-in child's reporter is told once; an anonymous reporter has no inbox.
    child_inbox = _inbox_rows(child)
    assert len(child_inbox) == child_inbox_before + 1
    assert child_inbox[-1] == {
        "title": f"Laporan {child.public_id}: Dikonfirmasi",
        "dedup_key": f"report:{child.pk}:event:{child.events.last().pk}",
    }
    assert _inbox_rows(anonymous_child) == []


def test_reopening_the_parent_reopens_its_duplicates_and_the_unit_completes_them_again():
    parent, child, anonymous_child, client = _completed_family()
    child_inbox_before = len(_inbox_rows(child))
    response = client.post(
        f"/api/v1/reports/{parent.public_id}/reopen/", {"reason": "Masih tergenang"}
    )
    assert response.status_code == 200
    for row in (parent, child, anonymous_child):
        row.refresh_from_db()
        assert (row.status, row.completed_at, row.closed_at) == (S.DIBUKA_KEMBALI, None, None)
    # Only the parent is a ticket again: the unit holds it; the duplicates hold nothing.
    assert list(
        Custody.objects.filter(ended_at__isnull=True)
        .filter(report__in=[parent, child, anonymous_child])
        .values_list("report_id", "agency__code")
    ) == [(parent.pk, SDA_JAKPUS)]
    event = child.events.filter(kind=ReportEvent.Kind.STATUS).last()
    assert (event.to_status, event.actor_id, event.data) == (
        S.DIBUKA_KEMBALI,
        None,
        {"follows": parent.public_id, "by": "parent_reporter"},
    )
    assert "Masih tergenang" not in str(event.data)  # another citizen's words stay theirs
    assert len(_inbox_rows(child)) == child_inbox_before + 1
    services.report_complete(
        report=parent, actor=officer(), note="Beres lagi", photo=after_photo(gps=near(MONAS, 5))
    )
    child.refresh_from_db()
    assert child.status == S.SELESAI


def test_a_refused_confirm_moves_no_duplicate():
    parent, child, _anonymous_child, client = _completed_family()
    response = client.post(f"/api/v1/reports/{parent.public_id}/confirm/", {"rating": 9})
    assert response.status_code == 400
    child.refresh_from_db()
    assert child.status == S.SELESAI
    assert child.events.filter(kind=ReportEvent.Kind.STATUS).last().to_status == S.SELESAI
