"""Fuzzing photo intake with hypothesis: random bytes and damaged real images.

Inputs: random bytes (with and without an image signature in front), real JPEG (with EXIF),
PNG (RGB, RGBA, palette, 16-bit), WebP and MPO files that are truncated, bit-flipped,
overwritten in part or spliced with a huge declared size (decompression bombs), JPEGs whose
EXIF holds odd values, and the signature of formats we do not accept (HEIC, AVIF, GIF, TIFF).

Properties, through ``photo_process`` and through ``POST /api/v1/reports/``:

* the outcome is an accepted photo/report or ``InvalidImage``/``ImageTooLarge`` (a 4xx in
  the project's one JSON error shape), never another exception or a 5xx;
* a refused report writes nothing: no report, photo, outbox row or stored file;
* memory stays bounded: each processing's Python allocations (tracemalloc peak) stay under
  ``PY_PEAK_BOUND``, and its peak resident size (Linux ``VmHWM``, reset before each example
  through ``/proc/self/clear_refs``) exceeds the resident size before it by at most
  ``RSS_GROWTH_BOUND``: decoded pixels live outside Python's allocator.

Bounded and reproducible: ``derandomize=True`` (the examples follow from the test's source),
no example database, no deadline; ``MAX_EXAMPLES`` per property keeps the suite fast.
"""

import io
import resource
import struct
import tracemalloc
import uuid
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image
from rest_framework.test import APIClient

from apps.core.models import OutboxMessage
from apps.reports.errors import InvalidImage
from apps.reports.images import ProcessedPhoto, photo_process
from apps.reports.models import Report, ReportPhoto
from tests.reports.factories import image_bytes, jpeg_with_exif, png_bomb, upload

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 60
FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Python-level allocations of one processing: the upload's bytes, the re-encoded photo and
# thumbnail (the inputs here are at most a few hundred KB; pixels are Pillow's, not Python's).
PY_PEAK_BOUND = 16 * 2**20
# The photo's working pixels (REPORT_PHOTO_MAX_DECODED_BYTES: decoded plus converted copy), a
# second copy while turning it upright, and the encoders' state.
RSS_GROWTH_BOUND = 2 * django_settings.REPORT_PHOTO_MAX_DECODED_BYTES + 32 * 2**20

URL = "/api/v1/reports/"


def _multi_picture() -> bytes:
    out = io.BytesIO()
    frames = [Image.new("RGB", (24, 16), (i * 90, 40, 40)) for i in range(2)]
    frames[0].save(out, "MPO", save_all=True, append_images=frames[1:])
    return out.getvalue()


@cache
def seeds() -> tuple[bytes, ...]:
    """Real, valid images of every accepted format (small, so the fuzzing stays fast)."""
    return (
        jpeg_with_exif(size=(96, 64), gps=(106.8272, -6.1754), orientation=6, taken="2025:01:02"),
        image_bytes("JPEG", size=(120, 80), quality=50, progressive=True),
        image_bytes("PNG", size=(40, 30)),
        image_bytes("PNG", size=(40, 30), mode="RGBA", color=(1, 2, 3, 128)),
        image_bytes("PNG", size=(40, 30), mode="P", color=3),
        image_bytes("PNG", size=(20, 20), mode="I;16", color=40000),
        image_bytes("WEBP", size=(48, 32)),
        image_bytes("WEBP", size=(48, 32), mode="RGBA", color=(9, 9, 9, 9), lossless=True),
        _multi_picture(),
    )


SIGNATURES = (
    b"\xff\xd8\xff\xe0",  # JPEG
    b"\x89PNG\r\n\x1a\n",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    b"\x00\x00\x00\x18ftypheic",  # HEIC (not accepted)
    b"\x00\x00\x00\x1cftypavif",  # AVIF (not accepted)
    b"GIF89a",
    b"II*\x00",  # TIFF
)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def declaring(data: bytes, width: int, height: int) -> bytes:
    """``data`` with its header claiming ``width`` x ``height`` (a consistent header: the PNG
    IHDR's CRC is recomputed, so the decoder believes it)."""
    if data.startswith(b"\x89PNG"):
        ihdr = bytearray(data[16:29])
        struct.pack_into(">II", ihdr, 0, width, height)
        return data[:8] + _png_chunk(b"IHDR", bytes(ihdr)) + data[33:]
    if data.startswith(b"\xff\xd8"):
        patched = bytearray(data)
        for marker in (b"\xff\xc0", b"\xff\xc2"):
            at = patched.find(marker)
            if at >= 0:
                struct.pack_into(">HH", patched, at + 5, height & 0xFFFF, width & 0xFFFF)
        return bytes(patched)
    return data


def odd_exif(values: dict[int, Any]) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = values.pop("orientation")
    exif[ExifTags.IFD.GPSInfo] = values.pop("gps")
    exif[ExifTags.IFD.Exif] = {ExifTags.Base.DateTimeOriginal: values.pop("taken")}
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 200, 10)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _mutate(data: bytes, draw: Callable[..., Any]) -> bytes:
    kind = draw(st.sampled_from(["truncate", "flip", "overwrite", "declare", "append"]))
    if kind == "truncate":
        return data[: draw(st.integers(0, len(data) - 1))]
    if kind == "flip":
        out = bytearray(data)
        for at in draw(st.lists(st.integers(0, len(data) * 8 - 1), min_size=1, max_size=16)):
            out[at // 8] ^= 1 << (at % 8)
        return bytes(out)
    if kind == "overwrite":
        at = draw(st.integers(0, len(data) - 1))
        return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at + 64 :]
    if kind == "declare":
        side = st.one_of(st.integers(0, 70_000), st.sampled_from([1, 65_535, 65_500, 2**31 - 1]))
        return declaring(data, draw(side), draw(side))
    return data + draw(st.binary(min_size=1, max_size=256))


@st.composite
def photo_bytes(draw: Callable[..., Any]) -> bytes:
    source = draw(st.sampled_from(["random", "signature", "mutated", "exif", "bomb"]))
    if source == "bomb":  # a valid 1-bit PNG: a few KB that decode to side x side bytes
        return png_bomb(draw(st.integers(500, 7000)))
    if source == "random":
        return draw(st.binary(min_size=0, max_size=2048))
    if source == "signature":
        return draw(st.sampled_from(SIGNATURES)) + draw(st.binary(max_size=1024))
    if source == "exif":
        text = st.text(max_size=24)
        number = st.one_of(st.integers(-(2**31), 2**32 - 1), st.floats(allow_nan=True))
        rational = st.tuples(number, number, number)
        gps = st.fixed_dictionaries(
            {},
            optional={
                1: st.one_of(text, st.integers()),
                2: st.one_of(rational, number, text),
                3: st.one_of(text, st.integers()),
                4: st.one_of(rational, number, text),
            },
        )
        values = {
            "orientation": st.integers(0, 65_535),
            "gps": gps,
            "taken": st.one_of(
                text, st.sampled_from(["2025:13:45 99:99:99", "0000:00:00 00:00:00"])
            ),
        }
        try:
            return odd_exif({k: draw(v) for k, v in values.items()})
        except (TypeError, ValueError, struct.error, OverflowError):
            return jpeg_with_exif()  # Pillow could not write that EXIF: a plain seed instead
    data = draw(st.sampled_from(seeds()))
    for _ in range(draw(st.integers(1, 3))):
        if data:
            data = _mutate(data, draw)
    return data


def _check_outcome(run: Callable[[], ProcessedPhoto]) -> ProcessedPhoto | InvalidImage:
    try:
        return run()
    except InvalidImage as refusal:  # ImageTooLarge is one too
        return refusal


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def _peak_reset() -> int:
    """Reset the process's peak resident size to its current size (bytes, returned)."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_kb("VmRSS") * 1024


@pytest.fixture(scope="module")
def peak_rss() -> Callable[[], int]:
    try:
        _peak_reset()
    except OSError:  # not Linux, or /proc is read-only: the whole run's peak instead
        start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return lambda: start
    return _peak_reset


@FUZZ
@given(data=photo_bytes())
def test_photo_process_accepts_or_refuses_with_bounded_memory(
    data: bytes, peak_rss: Callable[[], int]
) -> None:
    resident = peak_rss()
    tracemalloc.start()
    try:
        outcome = _check_outcome(lambda: photo_process(upload=upload(data), index=1))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < PY_PEAK_BOUND
    if isinstance(outcome, InvalidImage):
        assert 400 <= outcome.status < 500
        assert outcome.extra["reason"]
        event(f"refused: {outcome.extra['reason']}")
    else:
        event("accepted")
        # What is stored is a clean image of an accepted format, re-readable as such.
        with Image.open(io.BytesIO(outcome.content)) as image:
            assert image.format in ("JPEG", "PNG", "WEBP")
            assert image.size == (outcome.width, outcome.height)
    grown = _status_kb("VmHWM") * 1024 - resident
    assert grown < RSS_GROWTH_BOUND


def test_a_one_bit_png_is_budgeted_in_the_mode_it_is_stored_in(
    peak_rss: Callable[[], int],
) -> None:
    """Found by the fuzzing above: a 5 KB 1-bit PNG of 6,300 x 6,300 was 40 MB decoded (under
    the 48 MB limit) but 119 MB more once converted to RGB to be stored: the worker grew by
    ~200 MB for one upload. The budget now counts the converted copy."""
    data = png_bomb(6300)
    assert len(data) < 8_000
    resident = peak_rss()
    outcome = _check_outcome(lambda: photo_process(upload=upload(data, "a.png"), index=1))
    assert isinstance(outcome, InvalidImage)
    assert outcome.extra["reason"] == "too_large_decoded"
    assert _status_kb("VmHWM") * 1024 - resident < 16 * 2**20
    # A smaller one fits in the budget with its RGB copy, and is accepted.
    photo = photo_process(upload=upload(png_bomb(3000), "b.png"), index=1)
    assert (photo.width, photo.height, photo.content_type) == (3000, 3000, "image/png")


def _media_files() -> set[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


class _Rollback(Exception):
    pass


@FUZZ
@given(data=photo_bytes())
def test_report_endpoint_never_fails_on_a_photo(data: bytes, reporter_client: APIClient) -> None:
    files_before = _media_files()
    body = {
        "client_request_id": str(uuid.uuid4()),
        "category": "banjir",
        "description": "Genangan di depan halte.",
        "lat": "-6.1754",
        "lon": "106.8272",
        "photos": [upload(data, "foto.jpg")],
    }
    try:
        with transaction.atomic():  # each example leaves the database as it found it
            response = reporter_client.post(URL, body, format="multipart")
            assert response.status_code < 500, response.content
            event(f"HTTP {response.status_code}")
            if response.status_code == 201:
                assert Report.objects.count() == 1
                assert ReportPhoto.objects.count() == 1
            else:
                assert response.status_code in (400, 413), response.content
                error = response.json()["error"]
                assert error["code"] in ("invalid_image", "image_too_large")
                assert error["message"]
                assert error["reason"]
                assert Report.objects.count() == ReportPhoto.objects.count() == 0
                assert OutboxMessage.objects.count() == 0
                assert _media_files() == files_before
            raise _Rollback
    except _Rollback:
        pass
