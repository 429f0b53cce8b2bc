"""Image memory (docs/security.md, row 5): a 308 KB PNG of 6,300 x 6,300 16-bit RGBA is under
the pixel limit but decodes to 317 MB; it is refused from its header, and the worker's
resident memory barely moves. Image work is bounded per process by a semaphore."""

import io
import struct
import threading
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from apps.reports.errors import InvalidImage
from apps.reports.images import ImageWorkBusy, decoded_bytes, image_work_slot, photo_process
from apps.reports.models import Report
from tests.reports.factories import image_bytes, report_body, upload

pytestmark = pytest.mark.django_db

MB = 2**20


def _png16_rgba(side: int) -> bytes:
    row = b"\x00" + b"\x00" * (side * 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", side, side, 16, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def wide_png() -> bytes:
    return _png16_rgba(6300)


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(field)


def _peak_growth(work: Any) -> int:
    """Peak resident memory during ``work`` minus the resident memory before it (Linux:
    writing 5 to clear_refs resets the peak)."""
    Path("/proc/self/clear_refs").write_text("5")
    before = _status("VmRSS")
    work()
    return _status("VmHWM") - before


def test_the_decoded_size_counts_bands_and_bytes_per_band(wide_png: bytes) -> None:
    image = Image.open(io.BytesIO(wide_png))
    assert image.size == (6300, 6300)
    assert 6300 * 6300 < 40_000_000  # under the pixel limit: the old check let it through
    assert decoded_bytes(image) == 6300 * 6300 * 4 * 2
    assert len(wide_png) < 400_000


def test_a_small_png_that_decodes_huge_is_refused_with_little_memory(
    wide_png: bytes, api_client: Any
) -> None:
    def refuse() -> None:
        with pytest.raises(InvalidImage) as caught:
            photo_process(upload=upload(wide_png, "x.png", "image/png"), index=1)
        assert caught.value.extra["reason"] == "too_large_decoded"

    growth = _peak_growth(refuse)
    assert growth < 32 * MB, f"grew by {growth / MB:.0f} MB"

    def post() -> None:
        response = api_client.post(
            "/api/v1/reports/",
            {**report_body(), "photos": [upload(wide_png, "x.png", "image/png")]},
            format="multipart",
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_image"

    growth = _peak_growth(post)
    assert growth < 32 * MB, f"grew by {growth / MB:.0f} MB"
    assert Report.objects.count() == 0


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(settings: Any) -> None:
    settings.REPORT_PHOTO_MAX_DECODED_BYTES = 1200 * 900 * 3 // 3  # a third of it
    photo = photo_process(upload=upload(image_bytes(size=(1200, 900))), index=1)
    assert (photo.width, photo.height) == (600, 450)


def test_image_work_waits_for_a_slot_and_gives_up_with_a_503(settings: Any) -> None:
    settings.REPORT_IMAGE_WAIT_SECONDS = 0.2
    caught: list[BaseException] = []

    def other_request() -> None:
        try:
            photo_process(upload=upload(image_bytes()), index=1)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            caught.append(exc)

    with image_work_slot():  # the process's one slot (REPORT_IMAGE_WORKERS = 1) is busy
        worker = threading.Thread(target=other_request)
        worker.start()
        worker.join()
    assert len(caught) == 1
    assert isinstance(caught[0], ImageWorkBusy)
    assert caught[0].status == 503
    assert photo_process(upload=upload(image_bytes()), index=1).width > 0  # free again
