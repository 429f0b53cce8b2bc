"""Automatic CCTV linking on the real camera fixture (docs/cctv.md): place and time only.

Reports are filed through the service; the outbox runs the linking handler after commit
(``django_capture_on_commit_callbacks(execute=True)``, Celery eager), as a worker would.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from apps.cctv.models import Camera, Clip, ClipRequest
from apps.cctv.services import clips_ingest
from apps.reports import evidence
from apps.reports.models import Report, ReportClip, ReportEvent
from apps.triage import services
from tests.cctv.factories import (
    GAMBIR_038,
    add_clip,
    clip_item,
    offset,
    online_since,
    set_sector,
)
from tests.reports.factories import citizen, file_report
from tests.triage.triage_helpers import SDA_JAKPUS, officer

pytestmark = pytest.mark.django_db
WINDOW = timedelta(minutes=15)


@pytest.fixture
def camera() -> Camera:
    set_sector(GAMBIR_038, heading=0, fov=60)  # looks north, 100 m
    return online_since(GAMBIR_038, timezone.now() - timedelta(days=1))


@pytest.fixture
def file(django_capture_on_commit_callbacks: Any) -> Callable[..., Report]:
    def _file(point: Point, at: datetime | None = None) -> Report:
        with django_capture_on_commit_callbacks(execute=True):
            return file_report(reporter=citizen(), location=point, occurred_at=at).report

    return _file


def links(report: Report) -> list[tuple[str, str, str]]:
    return sorted(
        (link.clip.camera.code, link.source, link.reason)
        for link in ReportClip.objects.filter(report=report, removed=False).select_related(
            "clip__camera"
        )
    )


def around(at: datetime) -> tuple[datetime, datetime]:
    return at - timedelta(minutes=2), at + timedelta(minutes=3)


def test_a_report_in_the_view_sector_links_the_overlapping_clip(
    camera: Camera, file: Callable[..., Report]
) -> None:
    at = timezone.now() - timedelta(minutes=40)
    clip = add_clip(GAMBIR_038, *around(at))
    report = file(offset(camera.location, 50, 10), at)
    link = ReportClip.objects.get(report=report)
    assert (link.clip_id, link.source, link.reason) == (clip.pk, "auto", "in_sector")
    assert link.distance_m == pytest.approx(50, abs=1)
    assert link.bearing_deg == pytest.approx(10, abs=1)
    assert link.overlap_s == 300.0
    assert link.offset_s == -120.0
    assert Clip.objects.get(pk=clip.pk).held_until is not None


def test_behind_the_camera_nothing_is_linked_or_requested(
    camera: Camera, file: Callable[..., Report]
) -> None:
    at = timezone.now() - timedelta(minutes=40)
    add_clip(GAMBIR_038, *around(at))
    report = file(offset(camera.location, 50, 180), at)
    assert links(report) == []
    assert not ClipRequest.objects.filter(camera=camera, ref=f"report:{report.pk}").exists()


def test_heading_unknown_links_every_camera_within_its_range(
    file: Callable[..., Report],
) -> None:
    camera = set_sector(GAMBIR_038, heading=None, fov=None)
    at = timezone.now() - timedelta(minutes=40)
    add_clip(GAMBIR_038, *around(at))
    report = file(offset(camera.location, 60, 200), at)
    assert links(report) == [(GAMBIR_038, "auto", "in_range_heading_unknown")]


@pytest.mark.parametrize(
    ("range_m", "metres", "linked"),
    [(100, 95, True), (100, 110, False), (300, 140, True), (300, 160, False)],
)
def test_range_and_the_search_radius_both_bound_the_match(
    file: Callable[..., Report], range_m: int, metres: float, linked: bool
) -> None:
    camera = set_sector(GAMBIR_038, heading=0, fov=90, range_m=range_m)
    at = timezone.now() - timedelta(minutes=40)
    add_clip(GAMBIR_038, *around(at))
    report = file(offset(camera.location, metres, 0), at)
    assert bool(links(report)) is linked


@pytest.mark.parametrize(
    ("start_after", "end_after", "linked"),
    [
        (-WINDOW - timedelta(minutes=5), -WINDOW, True),  # ends exactly at the window's start
        (-WINDOW - timedelta(minutes=5), -WINDOW - timedelta(seconds=1), False),
        (WINDOW, WINDOW + timedelta(minutes=5), True),  # starts exactly at the window's end
        (WINDOW + timedelta(seconds=1), WINDOW + timedelta(minutes=5), False),
        (-timedelta(minutes=50), -timedelta(minutes=15) + timedelta(seconds=1), True),  # 1 h
    ],
)
def test_the_time_window_edges(
    camera: Camera,
    file: Callable[..., Report],
    start_after: timedelta,
    end_after: timedelta,
    linked: bool,
) -> None:
    at = (timezone.now() - timedelta(hours=3)).replace(microsecond=0)
    add_clip(GAMBIR_038, at + start_after, at + end_after)
    report = file(offset(camera.location, 40, 0), at)
    assert bool(links(report)) is linked


def test_a_clip_arriving_after_the_report_fulfils_its_request_and_is_linked(
    camera: Camera, file: Callable[..., Report], django_capture_on_commit_callbacks: Any
) -> None:
    at = timezone.now() - timedelta(minutes=40)
    add_clip(GAMBIR_038, at - timedelta(hours=3), at - timedelta(hours=2, minutes=55))
    report = file(offset(camera.location, 40, 0), at)
    assert links(report) == []
    request = ClipRequest.objects.get(camera=camera, ref=f"report:{report.pk}")
    assert (request.starts_at, request.ends_at, request.fulfilled_at) == (
        at - WINDOW,
        at + WINDOW,
        None,
    )
    vms = Camera.objects.get(pk=camera.pk).vms
    assert vms is not None
    with django_capture_on_commit_callbacks(execute=True):
        clips_ingest(vms=vms, items=[clip_item(GAMBIR_038, start=at + timedelta(minutes=1))])
    assert ClipRequest.objects.get(pk=request.pk).fulfilled_at is not None
    assert links(report) == [(GAMBIR_038, "auto", "in_sector")]


def test_an_offline_camera_gets_no_request_and_the_ticket_says_cameras_were_down(
    file: Callable[..., Report],
) -> None:
    from apps.triage.selectors.evidence import ticket_evidence_for_user

    camera = set_sector(GAMBIR_038, heading=0, fov=60)  # never sent a heartbeat
    at = timezone.now() - timedelta(minutes=40)
    report = file(offset(camera.location, 40, 0), at)
    assert not ClipRequest.objects.filter(camera=camera, ref=f"report:{report.pk}").exists()
    seen = ticket_evidence_for_user(user=officer(SDA_JAKPUS), report=report)
    # Gambir 038 and a neighbour of the fixture (Gambir 043) are in range; neither recorded.
    assert [row.camera.code for row in seen.cameras] == [GAMBIR_038, "streetside-1784"]
    assert [row.down_at_time for row in seen.cameras] == [True, True]
    assert seen.cameras_down is True
    online_since(GAMBIR_038, at - timedelta(hours=1))
    again = ticket_evidence_for_user(user=officer(SDA_JAKPUS), report=report)
    assert (again.cameras[0].down_at_time, again.cameras_down) == (False, False)


def test_a_corrected_location_recomputes_the_links(
    camera: Camera, file: Callable[..., Report], django_capture_on_commit_callbacks: Any
) -> None:
    at = timezone.now() - timedelta(minutes=40)
    add_clip(GAMBIR_038, *around(at))
    report = file(offset(camera.location, 50, 180), at)  # behind the camera
    assert links(report) == []
    with django_capture_on_commit_callbacks(execute=True):
        services.report_correct_place_time(
            report=report,
            actor=officer(SDA_JAKPUS),
            note="Lokasi sebenarnya di seberang jalan",
            location=offset(camera.location, 50, 0),
        )
    assert links(report) == [(GAMBIR_038, "auto", "in_sector")]
    event = ReportEvent.objects.get(report=report, kind="corrected")
    assert event.visibility == "internal"
    with django_capture_on_commit_callbacks(execute=True):
        services.report_correct_place_time(
            report=report,
            actor=officer(SDA_JAKPUS),
            note="Waktu kejadian salah",
            occurred_at=at - timedelta(hours=2),
        )
    assert links(report) == []


def test_a_corrected_time_or_place_is_refused_for_someone_outside_the_unit(
    camera: Camera, file: Callable[..., Report]
) -> None:
    from apps.core.errors import NotFound

    report = file(offset(camera.location, 50, 180), timezone.now() - timedelta(minutes=40))
    with pytest.raises(NotFound):
        services.report_correct_place_time(
            report=report,
            actor=officer("KELURAHAN-31.74.01.1001"),
            note="x",
            location=camera.location,
        )
    assert Report.objects.get(pk=report.pk).location.equals_exact(report.location, 1e-9)


def test_a_merge_moves_the_duplicates_evidence_to_the_parent(
    camera: Camera, file: Callable[..., Report], django_capture_on_commit_callbacks: Any
) -> None:
    at = timezone.now() - timedelta(minutes=40)
    add_clip(GAMBIR_038, *around(at))
    child = file(offset(camera.location, 40, 0), at)
    parent = file(offset(camera.location, 200, 180), at)
    assert (links(child), links(parent)) == ([(GAMBIR_038, "auto", "in_sector")], [])
    with django_capture_on_commit_callbacks(execute=True):
        services.report_merge(report=child, parent=parent, actor=officer(SDA_JAKPUS))
    assert (links(child), links(parent)) == ([], [(GAMBIR_038, "auto", "in_sector")])


def test_the_automatic_pass_never_undoes_a_manual_decision(
    camera: Camera, file: Callable[..., Report]
) -> None:
    at = timezone.now() - timedelta(minutes=40)
    auto_clip = add_clip(GAMBIR_038, *around(at))
    far_clip = add_clip(GAMBIR_038, at - timedelta(hours=3), at - timedelta(hours=2, minutes=58))
    report = file(offset(camera.location, 40, 0), at)
    actor = officer(SDA_JAKPUS)
    services.report_clip_link_remove(
        report=report, clip_uid=str(auto_clip.uid), actor=actor, note="Kamera menghadap tembok"
    )
    services.report_clip_link_add(
        report=report, clip_uid=str(far_clip.uid), actor=actor, note="Pelaku terlihat lewat"
    )
    evidence.report_link_clips(report_id=report.pk)
    assert links(report) == [(GAMBIR_038, "manual", "manual")]
    removed = ReportClip.objects.get(report=report, clip=auto_clip)
    assert (removed.removed, removed.note, removed.actor) == (
        True,
        "Kamera menghadap tembok",
        actor,
    )
    assert Clip.objects.get(pk=auto_clip.pk).held_until is None
    assert Clip.objects.get(pk=far_clip.pk).held_until is not None


def test_a_second_delivery_of_the_linking_message_changes_nothing(
    camera: Camera, file: Callable[..., Report]
) -> None:
    at = timezone.now() - timedelta(minutes=40)
    add_clip(GAMBIR_038, *around(at))
    report = file(offset(camera.location, 40, 0), at)
    before = list(ReportClip.objects.filter(report=report).values_list("pk", "updated_at"))
    evidence.report_link_clips(report_id=report.pk)
    assert list(ReportClip.objects.filter(report=report).values_list("pk", "updated_at")) == before
