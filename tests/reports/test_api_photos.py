"""Photos: multipart intake (content detection, bombs, metadata stripping) and private serving."""

import hashlib
import io
import time
import tracemalloc
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from PIL import ExifTags, Image, TiffImagePlugin
from rest_framework.test import APIClient

from apps.core.models import OutboxMessage
from apps.identity.models import Reporter
from apps.reports.models import Report, ReportPhoto
from tests.factories import staff_in
from tests.reports.conftest import client_for
from tests.reports.factories import (
    animated_png,
    animated_webp,
    citizen,
    image_bytes,
    jpeg_declaring,
    jpeg_with_exif,
    png_bomb,
    upload,
    zip_bytes,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/"
MONAS_LON, MONAS_LAT = 106.8272, -6.1754


def form(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "client_request_id": str(uuid.uuid4()),
        "category": "banjir",
        "description": "Genangan di depan halte.",
        "lat": str(MONAS_LAT),
        "lon": str(MONAS_LON),
    }
    body.update(overrides)
    return body


def post_photos(client: APIClient, *files: Any, **fields: Any) -> Any:
    return client.post(URL, {**form(**fields), "photos": list(files)}, format="multipart")


def stored_bytes(photo: ReportPhoto, thumbnail: bool = False) -> bytes:
    field = photo.thumbnail if thumbnail else photo.image
    with default_storage.open(field.name, "rb") as handle:
        return handle.read()


def assert_refused(response: Any, status: int, code: str, reason: str | None = None) -> None:
    assert response.status_code == status, response.json()
    error = response.json()["error"]
    assert error["code"] == code
    if reason is not None:
        assert error["reason"] == reason
    assert (Report.objects.count(), ReportPhoto.objects.count()) == (0, 0)
    assert OutboxMessage.objects.count() == 0
    assert not default_storage.exists("reports")


def test_multipart_report_with_three_formats(reporter_client: APIClient) -> None:
    response = post_photos(
        reporter_client,
        upload(image_bytes("JPEG"), "kamera-satu.jpg"),
        upload(image_bytes("PNG", mode="RGBA", color=(0, 0, 0, 0)), "kamera-dua.png", "image/png"),
        upload(image_bytes("WEBP"), "kamera-tiga.webp", "image/webp"),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    public_id = body["id"]
    assert [(p["n"], p["content_type"], p["width"], p["height"]) for p in body["photos"]] == [
        (1, "image/jpeg", 64, 48),
        (2, "image/png", 64, 48),
        (3, "image/webp", 64, 48),
    ]
    assert body["photos"][0]["url"] == f"http://testserver/api/v1/reports/{public_id}/photos/1"
    assert body["photos"][0]["thumbnail_url"].endswith(f"/{public_id}/photos/1/thumbnail")
    assert "exif_location" not in str(body)
    assert "location_mismatch" not in str(body)
    photos = list(ReportPhoto.objects.order_by("index"))
    for photo in photos:
        # Server-generated names; nothing of the upload's name survives.
        assert photo.image.name.startswith("reports/")
        assert "kamera" not in photo.image.name
        assert len(photo.sha256) == 64
    assert Image.open(io.BytesIO(stored_bytes(photos[1]))).mode == "RGBA"


def test_format_is_detected_from_content_not_name_or_type(reporter_client: APIClient) -> None:
    response = post_photos(
        reporter_client, upload(image_bytes("JPEG"), "../../etc/passwd\x00.png", "image/png")
    )
    assert response.status_code == 201
    photo = ReportPhoto.objects.get()
    assert photo.content_type == "image/jpeg"
    assert photo.image.name.endswith(".jpg")
    assert ".." not in photo.image.name
    assert "passwd" not in photo.image.name


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"just some text, not an image", "note.txt", "unsupported_format"),
        (PDF, "scan.jpg", "unsupported_format"),
        (SVG, "logo.png", "unsupported_format"),
        (HTML, "page.jpg", "unsupported_format"),
        (image_bytes("GIF", mode="P", color=1), "anim.jpg", "unsupported_format"),
        (image_bytes("BMP"), "pic.jpg", "unsupported_format"),
        (image_bytes("TIFF"), "pic.jpg", "unsupported_format"),
        (image_bytes("JPEG", size=(400, 300))[:600], "cut.jpg", "corrupt"),
        (b"", "empty.jpg", "empty"),
        (animated_webp(), "anim.webp", "multi_frame"),
        (animated_png(), "anim.png", "multi_frame"),
        (jpeg_declaring(8000, 8000), "big.jpg", "too_many_pixels"),
    ],
    ids=[
        "text",
        "pdf",
        "svg",
        "html",
        "gif",
        "bmp",
        "tiff",
        "truncated-jpeg",
        "zero-byte",
        "animated-webp",
        "apng",
        "64-megapixel-header",
    ],
)
def test_bad_photos_are_refused_and_nothing_is_stored(
    reporter_client: APIClient, data: bytes, name: str, reason: str
) -> None:
    response = post_photos(
        reporter_client, upload(image_bytes("JPEG"), "ok.jpg"), upload(data, name)
    )
    assert_refused(response, 400, "invalid_image", reason)
    assert response.json()["error"]["photo"] == 2
    assert "photos" in response.json()["error"]["fields"]


def _bomb_refusal(client: APIClient, data: bytes) -> tuple[Any, int, float, int]:
    before = Image.core.get_stats()["new_count"]
    tracemalloc.start()
    started = time.perf_counter()
    try:
        response = post_photos(client, upload(data, "bomb.png", "image/png"))
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    decoded = Image.core.get_stats()["new_count"] - before
    return response, peak, elapsed, decoded


@pytest.mark.parametrize(
    "data",
    [png_bomb(), jpeg_declaring(65000, 65000)],
    ids=["30000x30000-png", "jpeg-declaring-65000x65000"],
)
def test_decompression_bombs_are_refused_quickly_with_bounded_memory(
    reporter_client: APIClient, data: bytes
) -> None:
    response, peak, elapsed, decoded = _bomb_refusal(reporter_client, data)
    assert_refused(response, 400, "invalid_image", "too_many_pixels")
    assert decoded == 0  # Pillow never allocated an image buffer: the header was enough
    assert peak < 8 * 1024 * 1024, peak  # the whole request, upload included
    assert elapsed < 2.0


def test_more_than_five_photos_is_refused(reporter_client: APIClient) -> None:
    files = [upload(image_bytes("JPEG"), f"{n}.jpg") for n in range(6)]
    response = post_photos(reporter_client, *files)
    assert response.status_code == 400
    assert "photos" in response.json()["error"]["fields"]
    assert Report.objects.count() == 0


def test_too_many_files_in_one_request_is_refused(reporter_client: APIClient) -> None:
    files = [upload(b"x", f"{n}.jpg") for n in range(11)]
    response = post_photos(reporter_client, *files)
    assert response.status_code == 400
    assert Report.objects.count() == 0


def test_a_photo_over_10_mb_is_refused_with_413(reporter_client: APIClient) -> None:
    data = image_bytes("JPEG") + b"\x00" * (10 * 1024 * 1024)
    response = post_photos(reporter_client, upload(data, "huge.jpg"))
    assert_refused(response, 413, "image_too_large", "too_large")


def test_a_50_mb_multipart_body_is_refused_with_413(reporter_client: APIClient) -> None:
    data = b"\xff\xd8\xff" + b"\x00" * (50 * 1024 * 1024)
    response = post_photos(reporter_client, upload(data, "huge.jpg"))
    assert_refused(response, 413, "image_too_large", "too_large")


def test_stored_photo_has_no_metadata_and_no_trailing_bytes(reporter_client: APIClient) -> None:
    polyglot = jpeg_with_exif(gps=(MONAS_LON, MONAS_LAT), comment=b"COMMENT-PAYLOAD") + zip_bytes()
    assert b"PK\x03\x04" in polyglot
    assert b"secret-xmp" in polyglot
    response = post_photos(reporter_client, upload(polyglot, "poly.jpg"))
    assert response.status_code == 201, response.json()
    photo = ReportPhoto.objects.get()
    stored = stored_bytes(photo)
    assert b"PK\x03\x04" not in stored
    assert b"COMMENT-PAYLOAD" not in stored
    assert b"\xff\xfe" not in stored
    assert b"secret-xmp" not in stored
    assert b"http://ns.adobe.com/xap" not in stored
    assert b"Exif" not in stored
    assert b"SERIAL-12345" not in stored
    assert b"PhoneMaker" not in stored
    assert stored.endswith(b"\xff\xd9")
    reopened = Image.open(io.BytesIO(stored))
    assert dict(reopened.getexif()) == {}
    assert "comment" not in reopened.info
    assert "xmp" not in reopened.info
    thumb = Image.open(io.BytesIO(stored_bytes(photo, thumbnail=True)))
    assert thumb.format == "JPEG"
    assert max(thumb.size) <= 320
    assert dict(thumb.getexif()) == {}
    assert photo.sha256 == hashlib.sha256(stored).hexdigest()
    assert photo.upload_sha256 == hashlib.sha256(polyglot).hexdigest()


def test_exif_orientation_is_applied_to_the_pixels(reporter_client: APIClient) -> None:
    data = jpeg_with_exif(size=(60, 30), orientation=6)  # rotate 90° clockwise to display
    response = post_photos(reporter_client, upload(data, "rotated.jpg"))
    assert response.status_code == 201
    assert (response.json()["photos"][0]["width"], response.json()["photos"][0]["height"]) == (
        30,
        60,
    )
    stored = Image.open(io.BytesIO(stored_bytes(ReportPhoto.objects.get())))
    assert stored.size == (30, 60)
    assert ExifTags.Base.Orientation not in stored.getexif()
    # Upright: the red left half of the sensor image is now the top half.
    top, bottom = stored.convert("RGB").getpixel((15, 5)), stored.convert("RGB").getpixel((15, 55))
    assert top[0] > 150
    assert top[2] < 100
    assert bottom[2] > 150
    assert bottom[0] < 100


@pytest.mark.parametrize(
    ("gps", "mismatch", "has_location"),
    [
        ((106.9, -6.3), True, True),  # ~16 km away, Jakarta Timur
        ((106.8280, -6.1760), False, True),  # ~110 m away
        ((0.0, 0.0), False, False),  # "null island": a phone without a fix
        (None, False, False),
    ],
    ids=["20km-away", "near", "zero-zero", "missing"],
)
def test_exif_gps_is_kept_server_side_and_flags_a_far_photo(
    reporter_client: APIClient, gps: tuple[float, float] | None, mismatch: bool, has_location: bool
) -> None:
    data = jpeg_with_exif(gps=gps, taken="2026:11:27 08:15:00")
    response = post_photos(reporter_client, upload(data, "gps.jpg"))
    assert response.status_code == 201  # never refused because of GPS
    photo = ReportPhoto.objects.get()
    assert photo.location_mismatch is mismatch
    assert (photo.exif_location is not None) is has_location
    if gps is not None and has_location:
        assert photo.exif_location.x == pytest.approx(gps[0], abs=1e-5)
        assert photo.exif_location.y == pytest.approx(gps[1], abs=1e-5)
    jakarta = ZoneInfo("Asia/Jakarta")
    assert photo.taken_at == datetime(2026, 11, 27, 8, 15, tzinfo=jakarta)
    text = response.content.decode()
    assert "mismatch" not in text
    assert "exif" not in text.lower()


def test_malformed_exif_gps_is_ignored(reporter_client: APIClient) -> None:
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = {
        1: "S",
        2: (TiffImagePlugin.IFDRational(6, 0), 0.0, 0.0),  # division by zero
        3: "E",
        4: (200.0, 0.0, 0.0),  # out of range
    }
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, "JPEG", exif=exif.tobytes())
    response = post_photos(reporter_client, upload(out.getvalue(), "odd.jpg"))
    assert response.status_code == 201
    photo = ReportPhoto.objects.get()
    assert (photo.exif_location, photo.location_mismatch) == (None, False)


def test_photo_replay_returns_the_same_report(reporter_client: APIClient) -> None:
    data = image_bytes("JPEG")
    fields = form()
    first = reporter_client.post(URL, {**fields, "photos": [upload(data)]}, format="multipart")
    again = reporter_client.post(URL, {**fields, "photos": [upload(data)]}, format="multipart")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.content == first.content
    other = reporter_client.post(
        URL, {**fields, "photos": [upload(image_bytes("PNG"))]}, format="multipart"
    )
    assert other.status_code == 409
    assert (Report.objects.count(), ReportPhoto.objects.count()) == (1, 1)


def test_multipart_booleans_default_like_json(reporter_client: APIClient) -> None:
    response = reporter_client.post(URL, form(), format="multipart")
    assert response.status_code == 201
    report = Report.objects.get()
    assert (report.is_public, report.is_anonymous) == (True, False)


def test_multipart_nul_in_a_field_is_refused(reporter_client: APIClient) -> None:
    response = reporter_client.post(URL, form(description="banjir\x00"), format="multipart")
    assert response.status_code == 400
    assert Report.objects.count() == 0


# ---- serving --------------------------------------------------------------------------------


@pytest.fixture
def report_with_photo(reporter_client: APIClient) -> Report:
    response = post_photos(reporter_client, upload(image_bytes("JPEG", size=(800, 600)), "p.jpg"))
    assert response.status_code == 201
    return Report.objects.get()


def test_the_reporter_downloads_the_photo_and_thumbnail(
    reporter_client: APIClient, report_with_photo: Report
) -> None:
    photo = ReportPhoto.objects.get()
    response = reporter_client.get(f"/api/v1/reports/{report_with_photo.public_id}/photos/1")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        f'inline; filename="{report_with_photo.public_id}-1.jpg"'
    )
    assert b"".join(response.streaming_content) == stored_bytes(photo)

    thumb = reporter_client.get(
        f"/api/v1/reports/{report_with_photo.public_id}/photos/1/thumbnail",
        HTTP_ACCEPT="image/webp,image/*",
    )
    assert thumb.status_code == 200
    assert thumb["Cache-Control"] == "private, no-store"
    image = Image.open(io.BytesIO(b"".join(thumb.streaming_content)))
    assert image.size == (320, 240)


def test_staff_of_the_current_unit_may_see_photos(report_with_photo: Report) -> None:
    officer = staff_in(report_with_photo.agency.code)
    response = client_for(officer).get(f"/api/v1/reports/{report_with_photo.public_id}/photos/1")
    assert response.status_code == 200


def _not_found_body() -> dict[str, Any]:
    """What a truly missing report id answers: forbidden objects must look the same."""
    response = APIClient().get("/api/v1/reports/LW-2222AA/photos/1")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    return dict(response.json())


@pytest.mark.parametrize("who", ["anonymous", "other-citizen", "other-unit", "global-perm"])
def test_everyone_else_gets_404_for_photos(report_with_photo: Report, who: str) -> None:
    from django.contrib.auth.models import Permission

    if who == "anonymous":
        client = APIClient()
    elif who == "other-citizen":
        client = client_for(citizen().user)
    elif who == "other-unit":
        client = client_for(staff_in("BPBD"))
    else:
        user = staff_in("BPBD")
        user.user_permissions.add(Permission.objects.get(codename="view_agency_reports"))
        client = client_for(user)
    base = f"/api/v1/reports/{report_with_photo.public_id}/photos/1"
    for url in (base, base + "/thumbnail"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == _not_found_body()


def test_missing_photo_numbers_and_ids_are_404(
    reporter_client: APIClient, report_with_photo: Report
) -> None:
    for url in (
        f"/api/v1/reports/{report_with_photo.public_id}/photos/2",
        f"/api/v1/reports/{report_with_photo.public_id}/photos/0",
        "/api/v1/reports/LW-2222AA/photos/1",
    ):
        response = reporter_client.get(url)
        assert response.status_code == 404
        assert response.json() == _not_found_body()


def test_anonymous_reporters_have_no_photo_access_without_an_account(
    api_client: APIClient,
) -> None:
    response = post_photos(api_client, upload(image_bytes("JPEG"), "p.jpg"))
    assert response.status_code == 201
    public_id = response.json()["id"]
    assert api_client.get(f"/api/v1/reports/{public_id}/photos/1").status_code == 404
    assert Reporter.objects.get(reports__public_id=public_id).user_id is None
