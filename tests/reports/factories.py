"""Helpers for the reports tests: photos made in memory, reports filed through the service."""

import functools
import io
import struct
import uuid
import zipfile
import zlib
from typing import Any

from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from apps.identity.models import Reporter
from apps.reports.models import Report
from apps.reports.services import ReportCreateResult, report_create
from apps.routing.models import Category
from tests.conftest import MONAS
from tests.factories import ReporterFactory, UserFactory
from tests.reports.transitions import report_transition


def image_bytes(
    fmt: str = "JPEG",
    size: tuple[int, int] = (64, 48),
    color: tuple[int, ...] = (200, 30, 30),
    mode: str = "RGB",
    **save: Any,
) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


def citizen() -> Reporter:
    return ReporterFactory(user=UserFactory())


def file_report(
    *,
    reporter: Reporter | None,
    category: Category | None = None,
    location: Point = MONAS,
    description: str = "Banjir setinggi lutut di depan halte",
    **kwargs: Any,
) -> ReportCreateResult:
    return report_create(
        reporter=reporter,
        category=category or Category.objects.get(code="banjir"),
        location=location,
        description=description,
        client_request_id=kwargs.pop("client_request_id", uuid.uuid4()),
        **kwargs,
    )


def complete(report: Report) -> Report:
    """Walk a report to ``selesai`` the way its unit would (menunggu → proses → selesai)."""
    report = report_transition(report=report, to=Report.Status.PROSES, actor=None)
    return report_transition(
        report=report, to=Report.Status.SELESAI, actor=None, note="Saluran sudah dibersihkan"
    )


def dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return (float(degrees), float(minutes), seconds)


def jpeg_with_exif(
    *,
    size: tuple[int, int] = (60, 30),
    gps: tuple[float, float] | None = None,  # (lon, lat)
    orientation: int | None = None,
    taken: str | None = None,
    comment: bytes | None = None,
) -> bytes:
    """A JPEG carrying EXIF GPS/orientation/time, a COM segment and an XMP packet if asked."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.BodySerialNumber] = "SERIAL-12345"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    if gps is not None:
        lon, lat = gps
        exif[ExifTags.IFD.GPSInfo] = {
            1: "S" if lat < 0 else "N",
            2: dms(lat),
            3: "W" if lon < 0 else "E",
            4: dms(lon),
        }
    if taken is not None:
        exif[ExifTags.IFD.Exif] = {ExifTags.Base.DateTimeOriginal: taken}
    # Left half red, right half blue: orientation changes are visible in the pixels.
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    extra: dict[str, Any] = {"exif": exif.tobytes(), "xmp": b"<x:xmpmeta>secret-xmp</x:xmpmeta>"}
    if comment is not None:
        extra["comment"] = comment
    image.save(out, "JPEG", quality=90, **extra)
    return out.getvalue()


@functools.cache
def png_bomb(side: int = 30000) -> bytes:
    """A valid 1-bit PNG of ``side`` x ``side`` zero pixels: about 100 KB, 900 Mpx decoded."""
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    chunks = [compressor.compress(row) for _ in range(side)]
    chunks.append(compressor.flush())
    idat = b"".join(chunks)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) claims ``width`` x ``height``."""
    data = bytearray(image_bytes("JPEG", size=(16, 16)))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def animated_webp(frames: int = 3) -> bytes:
    out = io.BytesIO()
    images = [Image.new("RGB", (16, 16), (i * 40, 0, 0)) for i in range(frames)]
    images[0].save(out, "WEBP", save_all=True, append_images=images[1:], duration=100)
    return out.getvalue()


def animated_png(frames: int = 3) -> bytes:
    out = io.BytesIO()
    images = [Image.new("RGB", (16, 16), (0, i * 40, 0)) for i in range(frames)]
    images[0].save(out, "PNG", save_all=True, append_images=images[1:])
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.txt", "hidden payload")
    return out.getvalue()


def report_body(**overrides: Any) -> dict[str, Any]:
    """A valid JSON body for POST /api/v1/reports/ (a flood at Monas), with a fresh key."""
    return {
        "client_request_id": str(uuid.uuid4()),
        "category": "banjir",
        "description": "Genangan setinggi lutut di depan halte Monas.",
        "lat": -6.1754,
        "lon": 106.8272,
    } | overrides
