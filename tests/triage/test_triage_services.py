"""The officer action services: every move allowed and refused, custody, evidence, merges."""

import itertools
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.errors import ApplicationError, NotFound
from apps.core.models import OutboxMessage
from apps.reports import services as report_services
from apps.reports.errors import InvalidTransition
from apps.reports.models import Report, ReportEvent, ReportMessage, ReportPhoto
from apps.triage import services
from apps.triage.services.closing import EvidenceRequired, EvidenceTooFar, EvidenceTooOld
from apps.triage.services.common import TicketMoved
from tests.conftest import MONAS
from tests.triage.triage_helpers import (
    BINA_MARGA_JAKPUS,
    SDA,
    SDA_JAKPUS,
    SDA_JAKSEL,
    TRIAGE,
    after_photo,
    agency,
    custody_rows,
    near,
    officer,
    ticket,
)

pytestmark = pytest.mark.django_db

S = Report.Status


def _snapshot(report: Report) -> tuple:
    report.refresh_from_db()
    return (
        report.status,
        report.agency_id,
        report.assignee_id,
        report.provisional_due_at,
        report.events.count(),
        report.custody.count(),
        report.photos.count(),
        OutboxMessage.objects.count(),
    )


def test_routing_puts_the_flood_ticket_with_the_suku_dinas():
    report = ticket()
    assert report.agency.code == SDA_JAKPUS
    assert report.status == S.MENUNGGU


def test_take_assigns_the_officer_and_opens_a_custody_interval():
    report = ticket()
    user = officer()
    report = services.report_take(report=report, actor=user)
    assert report.assignee == user
    assert custody_rows(report) == [(SDA_JAKPUS, None, False), (SDA_JAKPUS, user.username, True)]
    event = report.events.get(kind=ReportEvent.Kind.ASSIGNED)
    assert (event.actor, event.agency.code, event.visibility) == (
        user,
        SDA_JAKPUS,
        ReportEvent.Visibility.INTERNAL,
    )


def test_officer_cannot_assign_someone_else_but_a_supervisor_can():
    report = ticket()
    user, colleague = officer(), officer()
    before = _snapshot(report)
    with pytest.raises(ApplicationError) as caught:
        services.report_assign(report=report, actor=user, assignee=colleague)
    assert caught.value.status == 400
    assert "assignee" in caught.value.fields
    assert _snapshot(report) == before
    boss = officer(role="supervisor")
    services.report_assign(report=report, actor=boss, assignee=colleague)
    report.refresh_from_db()
    assert report.assignee == colleague


def test_assigning_someone_outside_the_unit_is_a_400_and_changes_nothing():
    report = ticket()
    boss = officer(role="supervisor")
    outsider = officer(SDA_JAKSEL)
    before = _snapshot(report)
    with pytest.raises(ApplicationError) as caught:
        services.report_assign(report=report, actor=boss, assignee=outsider)
    assert caught.value.status == 400
    assert _snapshot(report) == before


def test_acting_outside_ones_scope_is_a_404():
    report = ticket()
    outsider = officer(SDA_JAKSEL)
    before = _snapshot(report)
    with pytest.raises(NotFound):
        services.report_start(report=report, actor=outsider, note="Mulai")
    assert _snapshot(report) == before


def test_start_moves_to_proses_with_a_public_note_and_claims_the_ticket():
    report = ticket()
    user = officer()
    due = report.provisional_due_at
    report = services.report_start(report=report, actor=user, note="Petugas menuju lokasi")
    report.refresh_from_db()
    assert (report.status, report.assignee, report.provisional_due_at) == (S.PROSES, user, due)
    event = report.events.filter(kind=ReportEvent.Kind.STATUS).last()
    assert (event.from_status, event.to_status, event.note, event.visibility, event.actor) == (
        S.MENUNGGU,
        S.PROSES,
        "Petugas menuju lokasi",
        ReportEvent.Visibility.PUBLIC,
        user,
    )


def test_start_twice_is_409_invalid_transition_naming_both_statuses():
    report = ticket()
    user = officer()
    services.report_start(report=report, actor=user, note="Mulai")
    before = _snapshot(report)
    with pytest.raises(InvalidTransition) as caught:
        services.report_start(report=report, actor=user, note="Lagi")
    assert caught.value.status == 409
    assert caught.value.extra == {"current": "proses", "requested": "proses"}
    assert "proses" in caught.value.message
    assert _snapshot(report) == before


def test_start_needs_a_note():
    report = ticket()
    before = _snapshot(report)
    with pytest.raises(ApplicationError) as caught:
        services.report_start(report=report, actor=officer(), note="  ")
    assert list(caught.value.fields) == ["note"]
    assert _snapshot(report) == before


def test_disposisi_from_the_dinas_to_its_suku_dinas_keeps_the_clock():
    report = ticket(at=SDA)
    head = officer(SDA)
    due = report.provisional_due_at
    services.report_disposisi(
        report=report, actor=head, to_agency=agency(SDA_JAKSEL), note="Ke Jaksel"
    )
    report.refresh_from_db()
    assert (report.status, report.agency.code, report.provisional_due_at, report.assignee) == (
        S.DISPOSISI,
        SDA_JAKSEL,
        due,
        None,
    )
    assert custody_rows(report) == [(SDA, None, False), (SDA_JAKSEL, None, True)]
    transfer = report.events.get(kind=ReportEvent.Kind.TRANSFERRED)
    assert (transfer.data["mode"], transfer.data["from_agency"], transfer.data["to_agency"]) == (
        "disposisi",
        SDA,
        SDA_JAKSEL,
    )


@pytest.mark.parametrize("target", [BINA_MARGA_JAKPUS, SDA, "KELURAHAN-31.71.01.1001"])
def test_disposisi_outside_the_dinas_family_is_a_400(target):
    report = ticket(at=SDA)
    head = officer(SDA)
    before = _snapshot(report)
    with pytest.raises(ApplicationError) as caught:
        services.report_disposisi(report=report, actor=head, to_agency=agency(target))
    assert caught.value.status == 400
    assert "to_agency" in caught.value.fields
    assert _snapshot(report) == before


def test_koordinasi_to_oneself_is_a_400():
    report = ticket()
    user = officer()
    before = _snapshot(report)
    with pytest.raises(ApplicationError) as caught:
        services.report_koordinasi(
            report=report, actor=user, to_agency=agency(SDA_JAKPUS), reason="x"
        )
    assert caught.value.status == 400
    assert _snapshot(report) == before


def test_koordinasi_then_accept():
    report = ticket()
    sender, receiver = officer(), officer(BINA_MARGA_JAKPUS)
    services.report_koordinasi(
        report=report, actor=sender, to_agency=agency(BINA_MARGA_JAKPUS), reason="Jalan amblas"
    )
    report.refresh_from_db()
    assert (report.status, report.agency.code) == (S.KOORDINASI, BINA_MARGA_JAKPUS)
    # the sender no longer holds it: acting is a 404 for them
    with pytest.raises(NotFound):
        services.report_koordinasi_accept(report=report, actor=sender, note="x")
    services.report_koordinasi_accept(report=report, actor=receiver, note="Kami tangani")
    report.refresh_from_db()
    assert (report.status, report.agency.code, report.assignee) == (
        S.PROSES,
        BINA_MARGA_JAKPUS,
        receiver,
    )
    assert custody_rows(report) == [
        (SDA_JAKPUS, None, False),
        (BINA_MARGA_JAKPUS, None, False),
        (BINA_MARGA_JAKPUS, receiver.username, True),
    ]
    with pytest.raises(InvalidTransition):
        services.report_koordinasi_decline(report=report, actor=receiver, reason="x")


def test_koordinasi_decline_returns_the_ticket_to_the_sender():
    report = ticket()
    sender, receiver = officer(), officer(BINA_MARGA_JAKPUS)
    services.report_start(report=report, actor=sender, note="Mulai")
    services.report_koordinasi(
        report=report, actor=sender, to_agency=agency(BINA_MARGA_JAKPUS), reason="Jalan"
    )
    services.report_koordinasi_decline(report=report, actor=receiver, reason="Bukan jalan kami")
    report.refresh_from_db()
    assert (report.status, report.agency.code, report.assignee) == (S.PROSES, SDA_JAKPUS, None)
    assert custody_rows(report) == [
        (SDA_JAKPUS, None, False),
        (SDA_JAKPUS, sender.username, False),
        (BINA_MARGA_JAKPUS, None, False),
        (SDA_JAKPUS, None, True),
    ]
    modes = list(
        report.events.filter(kind=ReportEvent.Kind.TRANSFERRED).values_list("data__mode", flat=True)
    )
    assert modes == ["koordinasi", "koordinasi_declined"]


def test_return_to_triage_needs_a_known_reason_code_and_keeps_the_clock():
    report = ticket()
    user = officer()
    before = _snapshot(report)
    with pytest.raises(ApplicationError):
        services.report_return_to_triage(report=report, actor=user, reason_code="bosan")
    assert _snapshot(report) == before
    due = report.provisional_due_at
    services.report_return_to_triage(report=report, actor=user, reason_code="not_our_sector")
    report.refresh_from_db()
    assert (report.status, report.agency.code, report.provisional_due_at) == (
        S.KOORDINASI,
        TRIAGE,
        due,
    )


def test_custody_after_a_chain_of_transfers():
    report = ticket()
    sda_jakpus, triage, sda, sda_jaksel = (
        officer(),
        officer(TRIAGE),
        officer(SDA),
        officer(SDA_JAKSEL),
    )
    services.report_take(report=report, actor=sda_jakpus)
    services.report_return_to_triage(report=report, actor=sda_jakpus, reason_code="wrong_area")
    services.report_koordinasi(report=report, actor=triage, to_agency=agency(SDA), reason="SDA")
    services.report_koordinasi_accept(report=report, actor=sda, note="Diterima")
    services.report_disposisi(report=report, actor=sda, to_agency=agency(SDA_JAKSEL))
    services.report_start(report=report, actor=sda_jaksel, note="Dikerjakan")
    assert custody_rows(report) == [
        (SDA_JAKPUS, None, False),
        (SDA_JAKPUS, sda_jakpus.username, False),
        (TRIAGE, None, False),
        (SDA, None, False),
        (SDA, sda.username, False),
        (SDA_JAKSEL, None, False),
        (SDA_JAKSEL, sda_jaksel.username, True),
    ]
    # intervals are contiguous: each ends when the next starts
    rows = list(report.custody.order_by("started_at", "pk"))
    assert all(a.ended_at == b.started_at for a, b in itertools.pairwise(rows))


def test_request_info_pauses_and_sends_the_question_through_the_relay(
    django_capture_on_commit_callbacks,
):
    report = ticket()
    user = officer()
    message = services.report_request_info(report=report, actor=user, question="Di RT berapa?")
    report.refresh_from_db()
    assert report.status == S.MENUNGGU_INFO_PELAPOR
    assert (message.direction, message.body, message.author) == (
        ReportMessage.Direction.TO_REPORTER,
        "Di RT berapa?",
        user,
    )
    services.report_resume(report=report, actor=user, note="Terima kasih")
    report.refresh_from_db()
    assert report.status == S.PROSES


def test_complete_with_an_after_photo_by_exif_gps():
    report = ticket()
    user = officer()
    services.report_start(report=report, actor=user, note="Mulai")
    services.report_complete(
        report=report,
        actor=user,
        note="Saluran dibersihkan",
        photo=after_photo(gps=near(MONAS, 50)),
    )
    report.refresh_from_db()
    assert report.status == S.SELESAI
    assert report.completed_at is not None
    photo = report.photos.get()
    assert (photo.index, photo.kind) == (1, ReportPhoto.Kind.AFTER)
    assert report.custody.filter(ended_at__isnull=True).count() == 0
    event = report.events.get(kind=ReportEvent.Kind.PHOTO)
    assert event.data["location_source"] == "exif"


def test_complete_with_the_officers_geotag_when_the_photo_has_no_gps():
    report = ticket()
    user = officer()
    services.report_start(report=report, actor=user, note="Mulai")
    lon, lat = near(MONAS, 120)
    from django.contrib.gis.geos import Point

    services.report_complete(
        report=report,
        actor=user,
        note="Beres",
        photo=after_photo(),
        geotag=Point(lon, lat, srid=4326),
    )
    report.refresh_from_db()
    assert report.status == S.SELESAI


def test_complete_refusals_change_nothing():
    report = ticket()
    user = officer()
    services.report_start(report=report, actor=user, note="Mulai")
    before = _snapshot(report)
    with pytest.raises(EvidenceRequired):
        services.report_complete(report=report, actor=user, note="Beres", photo=None)
    with pytest.raises(EvidenceRequired):
        services.report_complete(
            report=report, actor=user, note="", photo=after_photo(gps=near(MONAS, 10))
        )
    with pytest.raises(EvidenceRequired):  # no GPS and no geotag
        services.report_complete(report=report, actor=user, note="Beres", photo=after_photo())
    with pytest.raises(EvidenceTooFar) as far:
        services.report_complete(
            report=report, actor=user, note="Beres", photo=after_photo(gps=near(MONAS, 5000))
        )
    assert re.search(
        r"taken (49\d\d|50\d\d) m from the report; it must be within 200 m", far.value.message
    )
    with pytest.raises(EvidenceTooOld):
        services.report_complete(
            report=report,
            actor=user,
            note="Beres",
            photo=after_photo(gps=near(MONAS, 10), taken="2020:01:01 10:00:00"),
        )
    assert _snapshot(report) == before


def test_complete_from_menunggu_is_409():
    report = ticket()
    before = _snapshot(report)
    with pytest.raises(InvalidTransition):
        services.report_complete(
            report=report, actor=officer(), note="Beres", photo=after_photo(gps=near(MONAS, 10))
        )
    assert _snapshot(report) == before


@pytest.mark.parametrize(
    "code", ["spam", "duplicate", "not_public_matter", "outside_jakarta_authority"]
)
def test_reject_with_each_reason_code(code):
    report = ticket()
    services.report_reject(report=report, actor=officer(), reason_code=code, note="Maaf")
    report.refresh_from_db()
    assert (report.status, report.closed_at is not None) == (S.DITOLAK, True)
    assert report.events.filter(kind=ReportEvent.Kind.STATUS).last().data == {"reason_code": code}


def test_reject_with_an_unknown_reason_is_400_and_closed_ticket_is_409():
    report = ticket()
    user = officer()
    before = _snapshot(report)
    with pytest.raises(ApplicationError):
        services.report_reject(report=report, actor=user, reason_code="malas")
    assert _snapshot(report) == before
    services.report_reject(report=report, actor=user, reason_code="spam")
    before = _snapshot(report)
    with pytest.raises(InvalidTransition):
        services.report_start(report=report, actor=user, note="x")
    assert _snapshot(report) == before


def test_merge_children_follow_the_parent_and_every_reporter_is_notified(
    django_capture_on_commit_callbacks,
):
    parent, child = ticket(), ticket()
    user = officer()
    services.report_merge(report=child, parent=parent, actor=user, note="Laporan sama")
    child.refresh_from_db()
    assert (child.parent_id, child.status) == (parent.pk, S.MENUNGGU)
    services.report_start(report=parent, actor=user, note="Mulai")
    child.refresh_from_db()
    assert child.status == S.PROSES
    services.report_complete(
        report=parent, actor=user, note="Beres", photo=after_photo(gps=near(MONAS, 10))
    )
    child.refresh_from_db()
    assert child.status == S.SELESAI
    reporters = set(
        OutboxMessage.objects.filter(payload__kind="status").values_list(
            "payload__report_public_id", flat=True
        )
    )
    assert {parent.public_id, child.public_id} <= reporters
    last_child = child.events.filter(kind=ReportEvent.Kind.STATUS).last()
    assert last_child.data == {"follows": parent.public_id}


def test_merge_refusals():
    parent, child = ticket(), ticket()
    user = officer()
    with pytest.raises(ApplicationError):
        services.report_merge(report=child, parent=child, actor=user)
    services.report_merge(report=child, parent=parent, actor=user)
    other = ticket()
    with pytest.raises(ApplicationError):  # parent is itself merged
        services.report_merge(report=other, parent=child, actor=user)
    with pytest.raises(InvalidTransition):  # already merged
        services.report_merge(report=child, parent=other, actor=user)


def test_auto_confirm_after_three_days_only():
    report, recent = ticket(), ticket()
    user = officer()
    for item in (report, recent):
        services.report_start(report=item, actor=user, note="Mulai")
        services.report_complete(
            report=item, actor=user, note="Beres", photo=after_photo(gps=near(MONAS, 10))
        )
    Report.objects.filter(pk=report.pk).update(
        completed_at=timezone.now() - timedelta(days=3, minutes=1)
    )
    assert report_services.report_auto_confirm_due() == 1
    assert report_services.report_auto_confirm_due() == 0
    report.refresh_from_db()
    recent.refresh_from_db()
    assert (report.status, recent.status) == (S.DIKONFIRMASI, S.SELESAI)
    assert report.events.filter(kind=ReportEvent.Kind.STATUS).last().data["by"] == "auto"


def test_a_moved_ticket_is_a_409_for_the_slower_officer():
    report = ticket()
    first, second = officer(), officer()
    stale = Report.objects.get(pk=report.pk)
    services.report_koordinasi(
        report=report, actor=first, to_agency=agency(BINA_MARGA_JAKPUS), reason="Jalan"
    )
    before = _snapshot(report)
    with pytest.raises(TicketMoved):
        services.report_start(report=stale, actor=second, note="Mulai")
    assert _snapshot(report) == before


def test_the_disposisi_targets_are_exactly_what_the_service_accepts() -> None:
    from apps.accounts.models import Agency
    from apps.triage.selectors.scope import disposisi_targets

    report = ticket()  # held by a Suku Dinas: its siblings under the same Dinas
    source = report.agency
    targets = list(disposisi_targets(agency=source))
    assert targets
    assert all(t.parent_id == source.parent_id and t.pk != source.pk for t in targets)
    outsiders = Agency.objects.filter(parent_id=source.parent_id).exclude(
        pk__in=[t.pk for t in targets] + [source.pk]
    )
    boss = officer(role="supervisor")
    for unit in outsiders[:2]:  # same Dinas, not a branch (if any): refused
        with pytest.raises(ApplicationError):
            services.report_disposisi(report=report, actor=boss, to_agency=unit)
    services.report_disposisi(report=report, actor=boss, to_agency=targets[0])
    report.refresh_from_db()
    assert report.agency == targets[0]
    kelurahan_office = Agency.objects.filter(parent__isnull=True).exclude(
        kind__in=[Agency.Kind.DINAS, Agency.Kind.SATPOL_PP]
    )
    assert all(not disposisi_targets(agency=unit).exists() for unit in kelurahan_office[:5])
