"""Photo intake: detect, bound, decode, strip and re-encode (docs/api.md, "Photos").

Pure functions over bytes; no database. The order matters for safety:

1. size limit on the upload (before reading it into memory);
2. the format is detected from the content by Pillow, restricted to JPEG/PNG/WebP (the
   name and the declared Content-Type are never consulted);
3. the pixel count and the working size (width x height x bands x bytes per band, read
   from the header, plus the copy in the stored mode when it differs: a 1-bit or palette
   PNG becomes RGB) are checked *before* any decoding, so a decompression bomb costs only
   its header; a large JPEG is decoded at 1/2, 1/4 or 1/8 scale to fit instead;
4. multi-frame images are refused; EXIF GPS/time/orientation are read;
5. the pixels are decoded (a truncated or corrupt file fails here), turned upright and
   re-encoded without any metadata, so nothing of the upload but its pixels survives
   (no EXIF, COM/XMP/ICC segments or bytes appended after the image).

Decoding and re-encoding run under a process-wide semaphore (``REPORT_IMAGE_WORKERS`` at a
time), so a burst of uploads in a threaded worker queues instead of multiplying the memory;
a photo that waits longer than ``REPORT_IMAGE_WAIT_SECONDS`` is a 503 (docs/security.md).
"""

import hashlib
import io
import math
import struct
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from apps.core.errors import ApplicationError, ErrorCode
from apps.reports.errors import ImageTooLarge, InvalidImage

# Pillow format name → (stored format, content type, extension). MPO is how Pillow names
# the multi-picture JPEGs some phones write; only its first (main) picture is kept.
_FORMATS = {
    "JPEG": ("JPEG", "image/jpeg", "jpg"),
    "MPO": ("JPEG", "image/jpeg", "jpg"),
    "PNG": ("PNG", "image/png", "png"),
    "WEBP": ("WEBP", "image/webp", "webp"),
}
_OPEN_FORMATS = ["JPEG", "PNG", "WEBP"]
_READ_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, TypeError)
_EARTH_RADIUS_M = 6_371_008.8
_JPEG_SCALES = (1, 2, 4, 8)  # the reductions a JPEG decoder gives for free (draft mode)


class ImageWorkBusy(ApplicationError):
    code = ErrorCode.SERVICE_UNAVAILABLE
    status = 503
    default_message = _("Too many photos are being processed. Try again in a moment.")


_work_lock = threading.Lock()
_work_slots: threading.BoundedSemaphore | None = None


@contextmanager
def image_work_slot() -> Iterator[None]:
    """Hold one of the process's ``REPORT_IMAGE_WORKERS`` image slots (see the docstring)."""
    global _work_slots  # one semaphore per process, made on first use
    with _work_lock:
        if _work_slots is None:
            _work_slots = threading.BoundedSemaphore(settings.REPORT_IMAGE_WORKERS)
        slots = _work_slots
    if not slots.acquire(timeout=settings.REPORT_IMAGE_WAIT_SECONDS):
        raise ImageWorkBusy()
    try:
        yield
    finally:
        slots.release()


def _bytes_per_band(image: Image.Image) -> int:
    """Bytes per band of the pixels as the file stores them (16-bit PNGs: 2)."""
    if image.mode in ("I", "F"):
        return 4
    if image.mode.startswith("I;16"):
        return 2
    rawmodes = [tile[3] for tile in getattr(image, "tile", []) if len(tile) > 3]
    raw = " ".join(str(r[0] if isinstance(r, tuple) else r) for r in rawmodes)
    return 2 if ";16" in raw else 1


def decoded_bytes(image: Image.Image) -> int:
    """Width x height x bands x bytes per band: the memory one decoded copy takes."""
    width, height = image.size
    return width * height * len(image.getbands()) * _bytes_per_band(image)


def _target_mode(image: Image.Image, fmt: str) -> str:
    """The mode ``_normalise_mode`` will give the photo (read from the header, no pixels)."""
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )
    if image.mode in ("RGB", "L") and not (fmt != "JPEG" and has_alpha):
        return image.mode
    return "RGBA" if fmt != "JPEG" and has_alpha else "RGB"


def working_bytes(image: Image.Image, fmt: str) -> int:
    """The pixels the processing holds at once: the decoded photo and, when the stored mode
    differs, its converted copy (a 1-bit or palette PNG becomes RGB: three bytes a pixel
    where the file's own mode counted one)."""
    width, height = image.size
    target = _target_mode(image, fmt)
    converted = 0 if target == image.mode else width * height * len(target)
    return decoded_bytes(image) + converted


def _fit_decoded_budget(image: Image.Image, fmt: str) -> bool:
    """Within ``REPORT_PHOTO_MAX_DECODED_BYTES`` (``working_bytes``), for a JPEG by decoding
    it at a reduced scale (no pixels are decoded here). False when it cannot fit."""
    budget = settings.REPORT_PHOTO_MAX_DECODED_BYTES
    needed = working_bytes(image, fmt)
    if needed <= budget:
        return True
    if image.format not in ("JPEG", "MPO"):
        return False
    width, height = image.size
    for scale in _JPEG_SCALES[1:]:
        if needed / (scale * scale) <= budget:
            image.draft(image.mode, (math.ceil(width / scale), math.ceil(height / scale)))
            return working_bytes(image, fmt) <= budget
    return False


@dataclass(frozen=True)
class ProcessedPhoto:
    content: bytes
    thumbnail: bytes
    content_type: str
    extension: str
    width: int
    height: int
    sha256: str
    upload_sha256: str
    exif_location: Point | None
    taken_at: datetime | None


def upload_sha256(upload: UploadedFile) -> str:
    """SHA-256 of an upload's bytes, read in chunks (for the idempotency fingerprint)."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def distance_m(a: Point, b: Point) -> float:
    """Great-circle distance between two WGS84 points, in metres (haversine)."""
    lat1, lat2 = math.radians(a.y), math.radians(b.y)
    dlat = lat2 - lat1
    dlon = math.radians(b.x - a.x)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _rational(value: object) -> float:
    try:
        result = float(value)  # type: ignore[arg-type]  # IFDRational, int or float
    except (TypeError, ValueError, ZeroDivisionError):
        return math.nan
    return result


def _gps_point(exif: Image.Exif) -> Point | None:
    """The EXIF GPS position, or None when missing, malformed or at 0,0 ("null island")."""
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except _READ_ERRORS:
        return None
    lat_parts, lon_parts = gps.get(2), gps.get(4)
    if not isinstance(lat_parts, tuple | list) or not isinstance(lon_parts, tuple | list):
        return None
    if len(lat_parts) != 3 or len(lon_parts) != 3:
        return None
    lat = sum(_rational(v) / d for v, d in zip(lat_parts, (1, 60, 3600), strict=True))
    lon = sum(_rational(v) / d for v, d in zip(lon_parts, (1, 60, 3600), strict=True))
    if str(gps.get(1, "N")).upper().startswith("S"):
        lat = -lat
    if str(gps.get(3, "E")).upper().startswith("W"):
        lon = -lon
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return Point(lon, lat, srid=4326)


def _taken_at(exif: Image.Exif) -> datetime | None:
    """DateTimeOriginal, read as Jakarta local time (cameras store no zone)."""
    try:
        raw = exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal)
    except _READ_ERRORS:
        return None
    if not isinstance(raw, str):
        return None
    try:
        return datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S").replace(
            tzinfo=ZoneInfo(settings.TIME_ZONE)
        )
    except ValueError:
        return None


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.info = {}  # nothing of the upload's metadata may be written back
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=85)
    elif fmt == "PNG":
        image.save(out, "PNG", optimize=False, compress_level=6)
    else:
        image.save(out, "WEBP", quality=85, method=4)
    return out.getvalue()


def _normalise_mode(image: Image.Image, fmt: str) -> Image.Image:
    target = _target_mode(image, fmt)
    return image if image.mode == target else image.convert(target)


def _thumbnail(image: Image.Image) -> bytes:
    # Resized straight from the photo: no full-size copy first.
    thumb = ImageOps.contain(image, (settings.REPORT_THUMBNAIL_PX, settings.REPORT_THUMBNAIL_PX))
    if thumb.mode != "RGB":
        background = Image.new("RGB", thumb.size, (255, 255, 255))
        rgba = thumb.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        thumb = background
    return _encode(thumb, "JPEG")


def photo_process(*, upload: UploadedFile, index: int, digest: str | None = None) -> ProcessedPhoto:
    """Check and clean one uploaded photo. Raises ``InvalidImage`` (400) / ``ImageTooLarge``.

    ``index`` is the photo's 1-based position, named in the error. ``digest`` is the
    upload's ``upload_sha256`` when the caller already has it (intake hashes the uploads
    for its idempotency fingerprint first).
    """
    max_bytes = settings.REPORT_PHOTO_MAX_BYTES
    size = upload.size or 0
    if size > max_bytes:
        raise ImageTooLarge(
            _("Photo %(n)s is larger than %(mb)s MB.") % {"n": index, "mb": max_bytes // 2**20},
            reason="too_large",
            index=index,
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if not data:
        raise InvalidImage(_("Photo %(n)s is empty.") % {"n": index}, reason="empty", index=index)
    if len(data) > max_bytes:  # the declared size lied
        raise ImageTooLarge(
            _("Photo %(n)s is larger than %(mb)s MB.") % {"n": index, "mb": max_bytes // 2**20},
            reason="too_large",
            index=index,
        )
    corrupt = InvalidImage(
        _("Photo %(n)s is damaged or incomplete.") % {"n": index}, reason="corrupt", index=index
    )
    too_many_pixels = InvalidImage(
        _("Photo %(n)s has too many pixels (at most %(mpx)s megapixels).")
        % {"n": index, "mpx": settings.REPORT_PHOTO_MAX_PIXELS // 1_000_000},
        reason="too_many_pixels",
        index=index,
    )
    with warnings.catch_warnings():
        # Pillow's own bomb guard warns, then raises, well above our limit; both mean "no".
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=_OPEN_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_many_pixels from None
        except UnidentifiedImageError:
            raise InvalidImage(
                _("Photo %(n)s is not a JPEG, PNG or WebP image.") % {"n": index},
                reason="unsupported_format",
                index=index,
            ) from None
        except _READ_ERRORS:
            raise corrupt from None
        with image:
            if image.format not in _FORMATS:
                raise InvalidImage(
                    _("Photo %(n)s is not a JPEG, PNG or WebP image.") % {"n": index},
                    reason="unsupported_format",
                    index=index,
                )
            width, height = image.size
            if width < 1 or height < 1:
                raise corrupt
            if width * height > settings.REPORT_PHOTO_MAX_PIXELS:
                raise too_many_pixels
            stored_format, content_type, extension = _FORMATS[image.format]
            if not _fit_decoded_budget(image, stored_format):
                raise InvalidImage(
                    _("Photo %(n)s is too large once decoded (at most %(mb)s MB).")
                    % {"n": index, "mb": settings.REPORT_PHOTO_MAX_DECODED_BYTES // 2**20},
                    reason="too_large_decoded",
                    index=index,
                )
            try:
                frames = getattr(image, "n_frames", 1)
                animated = bool(getattr(image, "is_animated", False))
            except _READ_ERRORS:
                raise corrupt from None
            if image.format != "MPO" and (frames > 1 or animated):
                raise InvalidImage(
                    _("Photo %(n)s is animated or has several frames.") % {"n": index},
                    reason="multi_frame",
                    index=index,
                )
            try:
                exif = image.getexif()
                exif_location = _gps_point(exif)
                taken_at = _taken_at(exif)
            except _READ_ERRORS:
                exif_location, taken_at = None, None
            try:
                with image_work_slot():
                    image.load()
                    # In place: turning a photo that needs no turn costs no second copy.
                    ImageOps.exif_transpose(image, in_place=True)
                    clean = _normalise_mode(image, stored_format)
                    content = _encode(clean, stored_format)
                    thumbnail = _thumbnail(clean)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise too_many_pixels from None
            except _READ_ERRORS:
                raise corrupt from None
    return ProcessedPhoto(
        content=content,
        thumbnail=thumbnail,
        content_type=content_type,
        extension=extension,
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(content).hexdigest(),
        upload_sha256=digest or hashlib.sha256(data).hexdigest(),
        exif_location=exif_location,
        taken_at=taken_at,
    )


def location_mismatch(*, exif_location: Point | None, reported_at: Point) -> bool:
    """True when the photo's own GPS position is farther than the limit from the report."""
    if exif_location is None:
        return False
    return distance_m(exif_location, reported_at) > settings.REPORT_LOCATION_MISMATCH_M
