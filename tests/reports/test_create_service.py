import uuid
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from apps.core.errors import ApplicationError, OutsideServiceArea
from apps.core.models import OutboxMessage
from apps.reports.errors import IdempotencyConflict
from apps.reports.models import Custody, Report, ReportEvent, ReportPhoto
from apps.routing.models import Category
from tests.conftest import MONAS, TEBET_ECO_PARK
from tests.reports.factories import citizen, file_report, image_bytes, upload

pytestmark = pytest.mark.django_db


def test_report_create_routes_stores_and_opens_the_timeline(flood: Category) -> None:
    reporter = citizen()
    result = file_report(reporter=reporter, category=flood, location=MONAS)
    report = Report.objects.select_related("area", "agency").get(pk=result.report.pk)
    assert result.created is True
    assert result.tracking_code is None
    assert report.area.code == "31.71.01.1001"
    assert report.agency.code == "DINAS-SDA-31.71"
    assert report.status == Report.Status.MENUNGGU
    assert report.reporter == reporter
    assert report.is_anonymous is False
    assert report.provisional_due_at == report.created_at + timedelta(days=flood.sla_days)
    assert report.occurred_at == report.created_at
    assert report.routing_explanation["rule"] == "sector_default"
    event = report.events.get()
    assert (event.kind, event.to_status, event.agency.code) == (
        ReportEvent.Kind.CREATED,
        "menunggu",
        "DINAS-SDA-31.71",
    )
    custody = Custody.objects.get(report=report)
    assert (custody.agency_id, custody.started_at, custody.ended_at) == (
        report.agency_id,
        report.created_at,
        None,
    )
    link = OutboxMessage.objects.get(handler="apps.reports.evidence.report_link_clips")
    # Stored in the report's own INSERT, before its id was known: named by the public id.
    assert (link.payload, link.dedup_key) == (
        {"report_public_id": report.public_id},
        f"report:{report.public_id}:cctv-link",
    )
    message = OutboxMessage.objects.exclude(pk=link.pk).get()
    assert message.handler == "apps.identity.services.inbox_deliver"
    assert message.dedup_key == f"report:{report.public_id}:event:created"
    assert message.payload["reporter_id"] == reporter.pk
    assert message.payload["report_public_id"] == report.public_id


def test_anonymous_report_gets_its_own_pseudonym_and_a_tracking_code(flood: Category) -> None:
    result = file_report(reporter=None, category=flood, location=TEBET_ECO_PARK)
    report = result.report
    assert report.is_anonymous is True
    assert report.reporter.user_id is None
    assert result.tracking_code is not None
    assert len(result.tracking_code) == 14
    assert result.tracking_code not in report.tracking_code_hash
    # nobody to notify: only the CCTV linking is queued
    assert list(OutboxMessage.objects.values_list("handler", flat=True)) == [
        "apps.reports.evidence.report_link_clips"
    ]


def test_replay_returns_the_same_report_and_a_changed_body_conflicts(flood: Category) -> None:
    reporter = citizen()
    key = uuid.uuid4()
    first = file_report(reporter=reporter, category=flood, client_request_id=key)
    again = file_report(reporter=reporter, category=flood, client_request_id=key)
    assert (again.report.pk, again.created, Report.objects.count()) == (first.report.pk, False, 1)
    with pytest.raises(IdempotencyConflict):
        file_report(reporter=reporter, category=flood, client_request_id=key, description="beda")
    with pytest.raises(IdempotencyConflict):  # someone else's key never returns their report
        file_report(reporter=citizen(), category=flood, client_request_id=key)
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"description": ""}, "description"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 2001}, "description"),
        ({"description": "banjir\x00"}, "description"),
        ({"description": "banjir \ud800"}, "description"),
        ({"occurred_at": timezone.now() + timedelta(hours=1)}, "occurred_at"),
        ({"occurred_at": timezone.now() - timedelta(days=8)}, "occurred_at"),
        ({"accuracy_m": -1.0}, "accuracy_m"),
        ({"accuracy_m": float("nan")}, "accuracy_m"),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(
    flood: Category, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(ApplicationError) as info:
        file_report(reporter=citizen(), category=flood, **kwargs)
    assert list(info.value.fields) == [field]
    assert (Report.objects.count(), OutboxMessage.objects.count()) == (0, 0)


def test_outside_the_service_area_is_refused(flood: Category) -> None:
    from django.contrib.gis.geos import Point

    with pytest.raises(OutsideServiceArea):
        file_report(reporter=None, category=flood, location=Point(110.0, -7.0, srid=4326))
    assert Report.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_interrupt_after_the_insert_keeps_the_stored_reports_photo_files(
    flood: Category, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Outside a transaction the INSERT has committed before the outbox publishes: a signal
    # arriving then (SystemExit from a worker being stopped) must not take the files of a
    # stored report with it.
    def stopped(message_id: int) -> None:
        raise SystemExit(0)

    monkeypatch.setattr("apps.core.outbox._dispatch", stopped)
    key = uuid.uuid4()
    with pytest.raises(SystemExit):
        file_report(
            reporter=None, category=flood, client_request_id=key, photos=[upload(image_bytes())]
        )
    photo = ReportPhoto.objects.get(report__client_request_id=key)
    assert default_storage.exists(photo.image.name)
    assert default_storage.exists(photo.thumbnail.name)


def stored_files(top: str = "reports") -> set[str]:
    if not default_storage.exists(top):
        return set()
    dirs, files = default_storage.listdir(top)
    return {f"{top}/{name}" for name in files} | {
        name for sub in dirs for name in stored_files(f"{top}/{sub}")
    }


def test_a_failed_insert_removes_the_photo_files_it_wrote(
    flood: Category, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = file_report(reporter=None, category=flood, photos=[upload(image_bytes())]).report
    before = stored_files()
    assert len(before) == 2  # the photo and its thumbnail
    # The first try takes the first report's public id: its INSERT fails after the files were
    # written; the second try stores the report with files of its own.
    fresh = iter([first.public_id, "LW-ZZZZZ6"])
    monkeypatch.setattr("apps.reports.services.intake.new_public_id", lambda: next(fresh))
    second = file_report(reporter=None, category=flood, photos=[upload(image_bytes())]).report
    assert second.public_id == "LW-ZZZZZ6"
    kept = {name for p in second.photos.all() for name in (p.image.name, p.thumbnail.name)}
    assert stored_files() == before | kept
