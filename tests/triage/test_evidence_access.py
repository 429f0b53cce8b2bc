"""Who sees a ticket's CCTV evidence (docs/cctv.md): the unit holding it, its supervisors,
its parent unit and managers. Monitors, former holders, other units, citizens and the public
never do; each play is logged with the user, the ticket and the purpose."""

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.accounts.roles import OrgRole
from apps.accounts.services import user_grant_org_role
from apps.cctv.models import Camera, Clip
from apps.cctv.services import vms_register
from apps.reports.models import ClipPlay, Report
from apps.triage import services
from tests.cctv.factories import GAMBIR_038, add_clip, offset, online_since, set_sector
from tests.factories import ReporterFactory, StaffFactory, UserFactory
from tests.reports.conftest import client_for
from tests.reports.factories import file_report
from tests.triage.triage_helpers import GAMBIR, SDA, SDA_JAKPUS, SDA_JAKSEL, officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_media(settings: Any, tmp_path: Path) -> Path:
    settings.CCTV_DEMO_MEDIA_DIR = tmp_path / "cctv"
    folder = tmp_path / "cctv" / "demo" / GAMBIR_038
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def case(demo_media: Path, django_capture_on_commit_callbacks: Any) -> tuple[Report, Clip, User]:
    """A ticket at Gambir 038 (held by Suku Dinas SDA Jakarta Pusat) with one linked clip."""
    vms, _key = vms_register(code="demo", name="Demo VMS", key="demo-vms-key")
    Camera.objects.filter(code=GAMBIR_038).update(vms=vms)
    set_sector(GAMBIR_038, heading=0, fov=60)
    camera = online_since(GAMBIR_038, timezone.now() - timedelta(days=1))
    at = timezone.now() - timedelta(minutes=30)
    (demo_media / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42fake-video")
    clip = add_clip(
        GAMBIR_038,
        at - timedelta(minutes=1),
        at + timedelta(minutes=1),
        storage_uri=f"demo://demo/{GAMBIR_038}/clip.mp4",
    )
    reporter = ReporterFactory(user=UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        report = file_report(
            reporter=reporter, location=offset(camera.location, 30, 0), occurred_at=at
        ).report
    assert report.agency.code == SDA_JAKPUS
    return report, clip, reporter.user


def _manager() -> User:
    user = StaffFactory()
    user_grant_org_role(user=user, role=OrgRole.MANAGER)
    return user


ALLOWED: dict[str, Callable[[], User]] = {
    "officer": lambda: officer(SDA_JAKPUS),
    "supervisor": lambda: officer(SDA_JAKPUS, role="supervisor"),
    "dinas over the suku dinas": lambda: officer(SDA),
    "manager": _manager,
}
DENIED_403: dict[str, Callable[[], User]] = {
    "kelurahan monitor": lambda: officer(GAMBIR, role="monitor"),
}
DENIED_404: dict[str, Callable[[], User]] = {
    "another unit": lambda: officer(SDA_JAKSEL),
    "staff without a grant": lambda: StaffFactory(),
}


def _url(report: Report, tail: str = "") -> str:
    return f"/api/v1/staff/tickets/{report.public_id}/evidence/{tail}"


@pytest.mark.parametrize("role", list(ALLOWED))
def test_the_unit_its_supervisors_its_dinas_and_managers_see_and_play_the_clip(
    case: tuple[Report, Clip, User], role: str
) -> None:
    report, clip, _citizen = case
    user = ALLOWED[role]()
    client = client_for(user)
    body = client.get(_url(report)).json()
    assert [c["uid"] for c in body["clips"]] == [str(clip.uid)]
    assert body["clips"][0]["hold_indefinite"] is True
    assert body["cameras"][0]["code"] == GAMBIR_038
    assert body["may_manage"] is (role in ("officer", "supervisor"))
    played = client.post(_url(report, f"clips/{clip.uid}/play/"), {"purpose": "investigation"})
    assert played.status_code == 200
    assert played.json()["expires_in"] == 300
    play = ClipPlay.objects.get()
    assert (play.user, play.report, play.clip, play.purpose) == (
        user,
        report,
        clip,
        "investigation",
    )
    media = Client().get(played.json()["url"].removeprefix("http://testserver"))
    assert media.status_code == 200
    assert b"".join(media.streaming_content).endswith(b"fake-video")  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", [*DENIED_403, *DENIED_404])
def test_others_get_nothing_and_no_play_is_logged(
    case: tuple[Report, Clip, User], role: str
) -> None:
    report, clip, _citizen = case
    user = {**DENIED_403, **DENIED_404}[role]()
    client = client_for(user)
    expected = 403 if role in DENIED_403 else 404
    answers = [
        client.get(_url(report)),
        client.post(_url(report, f"clips/{clip.uid}/play/"), {"purpose": "investigation"}),
        client.post(_url(report, "links/"), {"clip": str(clip.uid), "note": "x"}),
        client.post(_url(report, f"links/{clip.uid}/remove/"), {"note": "x"}),
    ]
    assert [a.status_code for a in answers] == [expected] * 4
    assert str(clip.uid) not in "".join(a.content.decode() for a in answers)
    assert ClipPlay.objects.count() == 0
    assert report.clip_links.get().removed is False
    page = Client()
    page.force_login(user)
    html = page.get(f"/admin/reports/report/{report.pk}/change/").content.decode()
    assert str(clip.uid) not in html
    assert "<video" not in html


def test_a_former_holder_keeps_the_ticket_but_not_its_evidence(
    case: tuple[Report, Clip, User],
) -> None:
    report, _clip, _citizen = case
    former = officer(SDA_JAKPUS)
    services.report_take(report=report, actor=former)
    services.report_return_to_triage(
        report=report, actor=former, reason_code="wrong_area", note="Bukan wilayah kami"
    )
    client = client_for(former)
    assert client.get(f"/api/v1/staff/tickets/{report.public_id}/").status_code == 200
    assert client.get(_url(report)).status_code == 403


def test_citizens_the_public_and_open311_never_see_clips(
    case: tuple[Report, Clip, User], api_client: APIClient
) -> None:
    report, clip, citizen = case
    own = APIClient()
    own.force_authenticate(citizen)
    answers = [
        own.get(f"/api/v1/reports/{report.public_id}/"),
        own.get(f"/api/v1/reports/{report.public_id}/timeline/"),
        own.get(_url(report)),
        own.post(_url(report, f"clips/{clip.uid}/play/"), {"purpose": "investigation"}),
        api_client.get("/api/v1/reports/public/"),
        api_client.get(f"/open311/v2/requests/{report.public_id}.json"),
    ]
    assert [a.status_code for a in answers][2:4] == [403, 403]
    for answer in answers:
        text = answer.content.decode()
        assert str(clip.uid) not in text
        assert clip.storage_uri not in text
        assert GAMBIR_038 not in text
    assert ClipPlay.objects.count() == 0


@pytest.mark.parametrize(
    ("purpose", "uid_of", "status"),
    [("", "linked", 400), ("curiosity", "linked", 400), ("investigation", "unknown", 404)],
)
def test_a_bad_play_request_logs_nothing(
    case: tuple[Report, Clip, User], purpose: str, uid_of: str, status: int
) -> None:
    report, clip, _citizen = case
    uid = clip.uid if uid_of == "linked" else "00000000-0000-4000-8000-000000000000"
    client = client_for(officer(SDA_JAKPUS))
    answer = client.post(_url(report, f"clips/{uid}/play/"), {"purpose": purpose})
    assert answer.status_code == status
    assert ClipPlay.objects.count() == 0


def test_a_removed_link_cannot_be_played_and_manual_links_need_a_note(
    case: tuple[Report, Clip, User],
) -> None:
    report, clip, _citizen = case
    client = client_for(officer(SDA_JAKPUS))
    no_note = client.post(_url(report, f"links/{clip.uid}/remove/"), {"note": ""})
    assert no_note.status_code == 400
    removed = client.post(_url(report, f"links/{clip.uid}/remove/"), {"note": "Salah kamera"})
    assert removed.status_code == 200
    assert removed.json()["clips"] == []
    assert (
        client.post(
            _url(report, f"clips/{clip.uid}/play/"), {"purpose": "investigation"}
        ).status_code
        == 404
    )
    again = client.post(_url(report, f"links/{clip.uid}/remove/"), {"note": "lagi"})
    assert again.status_code == 400
    restored = client.post(_url(report, "links/"), {"clip": str(clip.uid), "note": "Benar"})
    assert restored.status_code == 201
    assert [c["origin"] for c in restored.json()["clips"]] == ["manual"]
    unknown = client.post(
        _url(report, "links/"), {"clip": "00000000-0000-4000-8000-000000000000", "note": "x"}
    )
    assert unknown.status_code == 404
    assert ClipPlay.objects.count() == 0


def test_the_admin_ticket_page_shows_cameras_sectors_and_a_playable_clip(
    case: tuple[Report, Clip, User],
) -> None:
    report, clip, _citizen = case
    user = officer(SDA_JAKPUS)
    page = Client()
    page.force_login(user)
    html = page.get(f"/admin/reports/report/{report.pk}/change/").content.decode()
    assert f'data-clip="{clip.uid}"' in html
    assert "<video" in html
    assert f'data-camera="{GAMBIR_038}"' in html
    assert 'class="lw-sector"' in html  # the camera's sector is drawn
    played = page.post(
        f"/admin/evidence/{report.pk}/play/{clip.uid}/",
        {"purpose": "verification"},
        HTTP_ACCEPT="application/json",
    )
    assert played.status_code == 200
    assert played.json()["url"].startswith("/cctv/media/")
    assert ClipPlay.objects.get().purpose == "verification"
    refused = page.post(
        f"/admin/evidence/{report.pk}/play/{clip.uid}/",
        {"purpose": "x"},
        HTTP_ACCEPT="application/json",
    )
    assert refused.status_code == 400
    assert ClipPlay.objects.count() == 1


def test_a_forged_or_expired_media_token_is_a_404(
    case: tuple[Report, Clip, User], settings: Any
) -> None:
    report, clip, _citizen = case
    url = services.report_clip_play(
        user=officer(SDA_JAKPUS), report=report, clip_uid=str(clip.uid), purpose="supervision"
    )
    assert Client().get(url[:-3] + "xx/").status_code == 404
    settings.CCTV_SIGNED_URL_TTL = timedelta(seconds=-1)
    assert Client().get(url).status_code == 404
