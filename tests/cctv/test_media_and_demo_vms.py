"""Media backends (the generic HTTP export adapter against a local stand-in for a vendor's
API) and the demo VMS running one cycle against the real API (live server, ffmpeg)."""

import json
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from apps.cctv.demo_vms import DemoVms
from apps.cctv.errors import CctvUnavailable
from apps.cctv.media import HttpExportBackend, backend_for
from apps.cctv.models import Camera, Clip, ClipRequest, Vms
from apps.cctv.services import vms_assign_cameras, vms_register
from tests.cctv.factories import GAMBIR_038, GAMBIR_039, add_clip


class _Vendor(BaseHTTPRequestHandler):
    calls: list[tuple[str, dict[str, Any]]] = []
    answer: dict[str, Any] = {}

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.calls.append((self.path, body))
        payload = json.dumps(self.answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def vendor() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Vendor)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Vendor.calls = []
    yield f"http://127.0.0.1:{server.server_port}/api"
    server.shutdown()


@pytest.mark.django_db
def test_the_http_export_adapter_asks_the_vms_for_urls_holds_and_releases(vendor: str) -> None:
    vms, _key = vms_register(
        code="acme", name="ACME", key="k", backend="http_export", base_url=vendor
    )
    vms_assign_cameras(vms=vms, codes=[GAMBIR_038])
    start = timezone.now() - timedelta(hours=1)
    clip = add_clip(GAMBIR_038, start, start + timedelta(minutes=2))
    backend = backend_for(Vms.objects.get(pk=vms.pk))
    assert isinstance(backend, HttpExportBackend)
    _Vendor.answer = {"url": "https://vms.example/export/abc?sig=1"}
    clip = Clip.objects.select_related("camera").get(pk=clip.pk)
    assert backend.signed_url(clip=clip, kind="video", ttl=timedelta(minutes=5)) == (
        "https://vms.example/export/abc?sig=1"
    )
    backend.keep(clips=[clip], until=None)
    backend.release(
        items=[{"uid": str(clip.uid), "storage_uri": clip.storage_uri, "sha256": clip.sha256}]
    )
    assert [path for path, _body in _Vendor.calls] == [
        "/api/exports",
        "/api/holds",
        "/api/releases",
    ]
    export = _Vendor.calls[0][1]
    assert (export["camera"], export["sha256"], export["ttl_seconds"]) == (
        GAMBIR_038,
        clip.sha256,
        300,
    )
    assert _Vendor.calls[1][1] == {
        "clips": [{"storage_uri": clip.storage_uri, "sha256": clip.sha256}],
        "until": None,
    }
    _Vendor.answer = {"url": "javascript:alert(1)"}
    with pytest.raises(CctvUnavailable):
        backend.signed_url(clip=clip, kind="video", ttl=timedelta(minutes=5))
    Vms.objects.filter(pk=vms.pk).update(base_url="http://127.0.0.1:9/none")
    with pytest.raises(CctvUnavailable):
        backend_for(Vms.objects.get(pk=vms.pk)).keep(clips=[clip], until=None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")
def test_one_demo_vms_cycle_against_the_live_api(
    live_server: Any, tmp_path: Path, settings: Any
) -> None:
    settings.CCTV_DEMO_MEDIA_DIR = tmp_path / "cctv"
    vms, key = vms_register(code="demo", name="Demo VMS", key="demo-vms-key")
    vms_assign_cameras(vms=vms, codes=[GAMBIR_038, GAMBIR_039])
    now = datetime.now(tz=UTC).replace(microsecond=0)
    request = ClipRequest.objects.create(
        camera=Camera.objects.get(code=GAMBIR_039),
        ref="report:999999",
        starts_at=now - timedelta(minutes=40),
        ends_at=now - timedelta(minutes=10),
    )
    result = DemoVms(base_url=live_server.url, key=key, clip_seconds=2).cycle(now=now)
    assert result == {"cameras": 2, "clips": 3, "requests": 1, "pruned": 0}
    assert set(Camera.objects.filter(vms=vms).values_list("status", flat=True)) == {"online"}
    assert ClipRequest.objects.get(pk=request.pk).fulfilled_at is not None
    clips = Clip.objects.filter(camera__vms=vms).order_by("starts_at")
    answered = clips.first()
    assert answered is not None
    assert answered.starts_at == now - timedelta(minutes=25)
    video = tmp_path / "cctv" / "demo" / answered.storage_uri.split("demo://demo/")[1]
    assert video.read_bytes()[4:8] == b"ftyp"  # an MP4 file
    assert answered.poster_uri.endswith(".jpg")
    again = DemoVms(base_url=live_server.url, key=key, clip_seconds=2).cycle(now=now)
    assert again["clips"] == 0  # the same recordings again: duplicates
