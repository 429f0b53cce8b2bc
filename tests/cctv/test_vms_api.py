"""The VMS API: keys, scoping to a VMS's own cameras, idempotent bulk ingest with per-item
results, heartbeats and clip requests; every bad input refused with nothing stored."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.cctv.models import Camera, CameraOutage, Clip, ClipRequest
from apps.core.models import OutboxMessage
from tests.cctv.factories import (
    GAMBIR_038,
    GAMBIR_039,
    GAMBIR_040,
    KAMPUNG_BALI,
    auth,
    clip_item,
    vms_with,
)
from tests.factories import ReporterFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
CLIPS = "/api/v1/cctv/clips/"


@pytest.fixture
def two_systems() -> None:
    vms_with(GAMBIR_038, GAMBIR_039, code="vms-a", key="key-a")
    vms_with(KAMPUNG_BALI, code="vms-b", key="key-b")


def post(client: APIClient, clips: list[Any], key: str = "key-a") -> Any:
    return client.post(CLIPS, {"clips": clips}, format="json", **auth(key))


@pytest.mark.parametrize(
    "header",
    [None, "Api-Key wrong", "Api-Key", "Api-Key a b", "Token key-a", "Bearer key-a"],
)
def test_without_a_valid_key_every_vms_endpoint_is_refused(
    api_client: APIClient, two_systems: None, header: str | None
) -> None:
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    responses = [
        api_client.get("/api/v1/cctv/clip-requests/", **extra),
        api_client.post(CLIPS, {"clips": [clip_item(GAMBIR_038)]}, format="json", **extra),
        api_client.post(
            f"/api/v1/cctv/cameras/{GAMBIR_038}/heartbeat/", {"status": "online"}, **extra
        ),
    ]
    assert {r.status_code for r in responses} <= {401, 403}
    assert all(
        r.json()["error"]["code"]
        in {"not_authenticated", "authentication_failed", "permission_denied"}
        for r in responses
    )
    assert Clip.objects.count() == 0
    assert Camera.objects.get(code=GAMBIR_038).status == "offline"


def test_a_vms_lists_only_its_own_cameras_and_staff_list_all(
    api_client: APIClient, two_systems: None
) -> None:
    mine = api_client.get("/api/v1/cctv/cameras/", **auth("key-a")).json()
    assert [c["code"] for c in mine["results"]] == sorted([GAMBIR_038, GAMBIR_039])
    assert mine["results"][0] == {
        "code": GAMBIR_038,
        "name": "Gambir 038",
        "lat": -6.17043,
        "lon": 106.829884,
        "status": "offline",
        "last_seen": None,
        "heading": None,
        "fov": None,
        "range_m": 100,
        "kelurahan": "31.71.01.1001",
    }
    api_client.force_authenticate(StaffFactory())
    staff = api_client.get("/api/v1/cctv/cameras/?kota=31.71&page_size=100").json()
    assert staff["count"] == Camera.objects.filter(kelurahan__code__startswith="31.71.").count()
    assert api_client.get("/api/v1/cctv/cameras/?kota=x").status_code == 400
    assert api_client.get("/api/v1/cctv/cameras/?status=broken").status_code == 400


def test_citizens_and_anonymous_callers_cannot_list_cameras(api_client: APIClient) -> None:
    assert api_client.get("/api/v1/cctv/cameras/").status_code == 401
    api_client.force_authenticate(ReporterFactory(user=UserFactory()).user)
    assert api_client.get("/api/v1/cctv/cameras/").status_code == 403


def test_one_clip_is_created_then_a_replay_returns_the_same_clip(
    api_client: APIClient, two_systems: None
) -> None:
    item = clip_item(GAMBIR_038)
    first = post(api_client, [item])
    assert first.status_code == 201
    body = first.json()
    assert (body["created"], body["duplicates"], body["rejected"]) == (1, 0, 0)
    clip = Clip.objects.get()
    stored = body["results"][0]["clip"]
    assert stored["uid"] == str(clip.uid)
    assert (stored["camera"], stored["sha256"], stored["size"]) == (
        GAMBIR_038,
        item["sha256"],
        123_456,
    )
    assert clip.retain_until == clip.ends_at + timedelta(days=14)
    again = post(api_client, [item])
    assert again.status_code == 200
    assert again.json()["results"][0] == {"index": 0, "status": 200, "clip": stored}
    assert Clip.objects.count() == 1


def _bad_items() -> dict[str, tuple[dict[str, Any], int, str]]:
    now = timezone.now()
    return {
        "end before start": (clip_item(GAMBIR_038, minutes=-1), 400, "end"),
        "longer than an hour": (
            clip_item(GAMBIR_038, start=now - timedelta(hours=3), minutes=61),
            400,
            "end",
        ),
        "in the future": (clip_item(GAMBIR_038, start=now + timedelta(minutes=5)), 400, "end"),
        "naive time": (
            {
                **clip_item(GAMBIR_038),
                "start": (now - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%S"),
            },
            400,
            "start",
        ),
        "malformed uri": (clip_item(GAMBIR_038, storage_uri="not a uri"), 400, "storage_uri"),
        "unknown scheme": (
            clip_item(GAMBIR_038, storage_uri="javascript://x/alert"),
            400,
            "storage_uri",
        ),
        "malformed sha": (clip_item(GAMBIR_038, sha256="ABC"), 400, "sha256"),
        "negative size": (clip_item(GAMBIR_038, size=-1), 400, "size"),
        "size not a number": (clip_item(GAMBIR_038, size="12"), 400, "size"),
        "unknown camera": (clip_item("no-such-camera"), 404, ""),
        "another vms's camera": (clip_item(KAMPUNG_BALI), 404, ""),
        "not a vms camera": (clip_item(GAMBIR_040), 404, ""),
    }


@pytest.mark.parametrize("case", list(_bad_items()))
def test_a_bad_clip_alone_is_refused_with_nothing_stored(
    api_client: APIClient, two_systems: None, case: str
) -> None:
    item, status, field = _bad_items()[case]
    response = post(api_client, [item])
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == ("invalid" if status == 400 else "not_found")
    if field:
        assert list(error["fields"]) == [field]
    assert Clip.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_in_a_bulk_request_one_bad_clip_does_not_reject_the_good_ones(
    api_client: APIClient, two_systems: None
) -> None:
    start = timezone.now() - timedelta(days=2)
    good = [clip_item(GAMBIR_038, start=start + timedelta(minutes=2 * i)) for i in range(998)]
    bad = [clip_item(GAMBIR_038, sha256="x"), clip_item(KAMPUNG_BALI)]
    items = [*good[:500], bad[0], *good[500:], bad[1]]
    response = post(api_client, items)
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["duplicates"], body["rejected"]) == (998, 0, 2)
    assert [r["status"] for r in body["results"]] == [201] * 500 + [400] + [201] * 498 + [404]
    assert Clip.objects.count() == 998
    replay = post(api_client, items).json()
    assert (replay["created"], replay["duplicates"], replay["rejected"]) == (0, 998, 2)
    assert Clip.objects.count() == 998


def test_a_clip_twice_in_one_request_is_stored_once(
    api_client: APIClient, two_systems: None
) -> None:
    item = clip_item(GAMBIR_038)
    body = post(api_client, [item, item]).json()
    assert [r["status"] for r in body["results"]] == [201, 200]
    assert body["results"][0]["clip"]["uid"] == body["results"][1]["clip"]["uid"]


@pytest.mark.parametrize("clips", [[], "x", None])
def test_an_empty_or_malformed_batch_is_refused(
    api_client: APIClient, two_systems: None, clips: Any
) -> None:
    response = api_client.post(CLIPS, {"clips": clips}, format="json", **auth())
    assert response.status_code == 400
    assert Clip.objects.count() == 0


def test_more_than_1000_clips_are_refused_whole(api_client: APIClient, two_systems: None) -> None:
    start = timezone.now() - timedelta(days=1)
    items = [clip_item(GAMBIR_038, start=start + timedelta(minutes=i)) for i in range(1001)]
    response = post(api_client, items)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_many_clips"
    assert Clip.objects.count() == 0


def test_a_heartbeat_brings_a_camera_online_and_closes_its_outage(
    api_client: APIClient, two_systems: None
) -> None:
    response = api_client.post(
        f"/api/v1/cctv/cameras/{GAMBIR_038}/heartbeat/", {"status": "online"}, **auth()
    )
    assert response.status_code == 200
    assert response.json()["status"] == "online"
    camera = Camera.objects.get(code=GAMBIR_038)
    assert camera.status == "online"
    assert camera.last_seen is not None
    assert not CameraOutage.objects.filter(camera=camera, ended_at__isnull=True).exists()
    down = api_client.post(
        f"/api/v1/cctv/cameras/{GAMBIR_038}/heartbeat/", {"status": "maintenance"}, **auth()
    )
    assert down.json()["status"] == "maintenance"
    assert CameraOutage.objects.get(camera=camera, ended_at__isnull=True).status == "maintenance"


@pytest.mark.parametrize(
    ("code", "body", "status"),
    [
        (KAMPUNG_BALI, {"status": "online"}, 404),  # another VMS's camera
        (GAMBIR_040, {"status": "online"}, 404),  # no VMS's camera
        ("nope", {"status": "online"}, 404),
        (GAMBIR_038, {"status": "exploded"}, 400),
        (GAMBIR_038, {}, 400),
    ],
)
def test_a_bad_heartbeat_changes_nothing(
    api_client: APIClient, two_systems: None, code: str, body: dict[str, str], status: int
) -> None:
    before = list(Camera.objects.order_by("pk").values_list("status", "last_seen"))
    response = api_client.post(f"/api/v1/cctv/cameras/{code}/heartbeat/", body, **auth())
    assert response.status_code == status
    assert list(Camera.objects.order_by("pk").values_list("status", "last_seen")) == before


def test_clip_requests_list_only_the_open_ones_of_the_vms_and_ingest_fulfils_them(
    api_client: APIClient, two_systems: None
) -> None:
    at = timezone.now() - timedelta(hours=1)
    mine = ClipRequest.objects.create(
        camera=Camera.objects.get(code=GAMBIR_038),
        ref="report:1",
        starts_at=at - timedelta(minutes=15),
        ends_at=at + timedelta(minutes=15),
    )
    ClipRequest.objects.create(
        camera=Camera.objects.get(code=KAMPUNG_BALI),
        ref="report:1",
        starts_at=at - timedelta(minutes=15),
        ends_at=at + timedelta(minutes=15),
    )
    listed = api_client.get("/api/v1/cctv/clip-requests/", **auth()).json()
    assert [(r["uid"], r["camera"]) for r in listed["results"]] == [(str(mine.uid), GAMBIR_038)]
    # A clip outside the window fulfils nothing; one overlapping it does, and the requester
    # is told through the outbox.
    post(api_client, [clip_item(GAMBIR_038, start=at + timedelta(minutes=16))])
    assert ClipRequest.objects.get(pk=mine.pk).fulfilled_at is None
    post(api_client, [clip_item(GAMBIR_038, start=at + timedelta(minutes=10))])
    assert ClipRequest.objects.get(pk=mine.pk).fulfilled_at is not None
    message = OutboxMessage.objects.get(handler="apps.reports.evidence.report_clips_arrived")
    assert message.payload == {"refs": ["report:1"]}
    assert api_client.get("/api/v1/cctv/clip-requests/", **auth()).json()["count"] == 0
