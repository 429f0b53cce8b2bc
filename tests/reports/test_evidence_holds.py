"""Evidence holds and retention (docs/cctv.md): linked clips outlive the VMS's retention
until their ticket is closed + CCTV_HOLD_AFTER_CLOSE; unlinked expired clips go, and the VMS
is told either way."""

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.cctv.models import HOLD_INDEFINITE, Camera, Clip
from apps.cctv.services import clips_expire
from apps.core.models import OutboxMessage
from apps.reports import evidence
from apps.reports.models import Report
from apps.triage import services
from tests.cctv.factories import GAMBIR_038, add_clip, offset, online_since, set_sector
from tests.reports.factories import citizen, complete, file_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(django_capture_on_commit_callbacks: Any) -> tuple[Report, Clip, Clip]:
    """A ticket with one linked clip, and an unlinked clip of the same camera; both past
    the VMS's retention."""
    set_sector(GAMBIR_038, heading=0, fov=60)
    camera = online_since(GAMBIR_038, timezone.now() - timedelta(days=2))
    at = timezone.now() - timedelta(hours=5)
    past = timezone.now() - timedelta(minutes=1)
    held = add_clip(
        GAMBIR_038,
        at - timedelta(minutes=2),
        at + timedelta(minutes=3),
        retain_until=past.isoformat(),
    )
    loose = add_clip(
        GAMBIR_038,
        at - timedelta(hours=3),
        at - timedelta(hours=2, minutes=55),
        retain_until=past.isoformat(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = file_report(
            reporter=citizen(), location=offset(camera.location, 40, 0), occurred_at=at
        ).report
    return report, Clip.objects.get(pk=held.pk), Clip.objects.get(pk=loose.pk)


def test_retention_deletes_the_expired_unlinked_clip_and_keeps_the_held_one(
    linked: tuple[Report, Clip, Clip],
) -> None:
    _report, held, loose = linked
    assert (held.held_until, loose.held_until) == (HOLD_INDEFINITE, None)
    keep = OutboxMessage.objects.get(handler="apps.cctv.services.clip_media_keep")
    assert keep.payload == {"clip_ids": [held.pk]}
    assert clips_expire() == 1
    assert list(Clip.objects.filter(camera__code=GAMBIR_038).values_list("pk", flat=True)) == [
        held.pk
    ]
    release = OutboxMessage.objects.get(handler="apps.cctv.services.clip_media_release")
    assert release.payload == {
        "vms_id": Camera.objects.get(code=GAMBIR_038).vms_id,
        "items": [
            {"uid": str(loose.uid), "storage_uri": loose.storage_uri, "sha256": loose.sha256}
        ],
    }
    assert clips_expire() == 0


def test_a_closed_ticket_holds_its_clips_for_n_days_then_releases_them(
    linked: tuple[Report, Clip, Clip],
) -> None:
    report, held, _loose = linked
    report = complete(report)
    assert evidence.evidence_holds_refresh() == 1
    clip = Clip.objects.get(pk=held.pk)
    closed = report.closed_at or report.completed_at
    assert closed is not None
    assert clip.held_until == closed + settings.CCTV_HOLD_AFTER_CLOSE
    assert evidence.evidence_holds_refresh() == 0  # nothing moved
    assert clips_expire(now=closed + timedelta(days=89)) == 1  # the loose one only
    assert Clip.objects.filter(pk=held.pk).exists()
    assert clips_expire(now=closed + timedelta(days=91)) == 1
    assert not Clip.objects.filter(pk=held.pk).exists()
    assert Report.objects.get(pk=report.pk).clip_links.count() == 0


def test_a_clip_whose_link_was_removed_is_released(linked: tuple[Report, Clip, Clip]) -> None:
    from tests.triage.triage_helpers import SDA_JAKPUS, officer

    report, held, _loose = linked
    services.report_clip_link_remove(
        report=report, clip_uid=str(held.uid), actor=officer(SDA_JAKPUS), note="Tidak relevan"
    )
    assert Clip.objects.get(pk=held.pk).held_until is None
    assert clips_expire() == 2


def test_the_refresh_is_one_statement_that_also_releases_a_hold_without_a_link(
    linked: tuple[Report, Clip, Clip],
) -> None:
    report, held, loose = linked
    Clip.objects.filter(pk=loose.pk).update(held_until=HOLD_INDEFINITE)  # a stray hold
    report = complete(report)
    with CaptureQueriesContext(connection) as queries:
        assert evidence.evidence_holds_refresh() == 2
    sqls = [query["sql"] for query in queries.captured_queries]
    statements = [sql for sql in sqls if not sql.startswith(("SAVEPOINT", "RELEASE"))]
    # one update computes and sets every hold (no clip id read into Python first); then the
    # outbox asks the VMS to keep the clip still held
    assert len(statements) == 2
    assert statements[0].lstrip().startswith("WITH")
    assert statements[1].startswith('INSERT INTO "core_outboxmessage"')
    assert Clip.objects.get(pk=loose.pk).held_until is None
    closed = report.closed_at or report.completed_at
    assert closed is not None
    assert Clip.objects.get(pk=held.pk).held_until == closed + settings.CCTV_HOLD_AFTER_CLOSE
    assert evidence.evidence_holds_refresh() == 0
