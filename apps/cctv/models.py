"""Cameras, the video systems that own them, clip references and clip requests (docs/cctv.md).

The system stores references to footage and its metadata, never the video itself. Cameras
are linked to reports by place and time only: nothing here describes who or what a camera saw.

This app sits below ``reports`` in the layers: it never imports it. A report-side hold on a
clip is the clip's ``held_until``, set through ``apps.cctv.services``; a clip request names
what asked for it with an opaque ``ref`` (``"report:123"``).
"""

import uuid
from datetime import UTC, datetime

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel
from apps.routing.models import Area

# A hold that lasts until its holder says otherwise (an open ticket): far in the future, but
# an ordinary timestamp, so ``held_until >= now`` needs no special case.
HOLD_INDEFINITE = datetime(9999, 12, 31, tzinfo=UTC)


class Vms(TimeStampedModel):
    """A video management system: a machine client of the VMS API, with a hashed API key.

    The key (``Authorization: Api-Key <key>``) is shown once, when issued; only its SHA-256
    is stored (keys are long random strings, so a fast hash is enough, as for Open311 keys).
    """

    class Backend(models.TextChoices):
        DEMO = "demo", _("Demo VMS (files under var/cctv)")
        HTTP_EXPORT = "http_export", _("Generic HTTP export by time range")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64, unique=True)
    key_prefix = models.CharField(_("key prefix"), max_length=8, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    backend = models.CharField(
        _("media backend"), max_length=20, choices=Backend.choices, default=Backend.DEMO
    )
    base_url = models.URLField(_("export API base URL"), blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("video management system")
        verbose_name_plural = _("video management systems")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Camera(TimeStampedModel):
    """A public camera with an optional view sector (heading, field of view, range)."""

    class Status(models.TextChoices):
        ONLINE = "online", _("Online")
        OFFLINE = "offline", _("Offline")
        MAINTENANCE = "maintenance", _("Maintenance")

    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    location = models.PointField(_("location"), geography=True, srid=4326)
    heading = models.FloatField(
        _("heading (degrees from north)"),
        null=True,
        blank=True,
        help_text=_("Where the camera looks, clockwise from north. Empty: unknown."),
    )
    fov = models.FloatField(_("field of view (degrees)"), null=True, blank=True)
    range_m = models.PositiveIntegerField(_("range (m)"), default=100)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OFFLINE
    )
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    kelurahan = models.ForeignKey(
        Area,
        verbose_name=_("kelurahan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cameras",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    owner = models.CharField(_("owner or sponsor"), max_length=200, blank=True)
    vms = models.ForeignKey(
        Vms,
        verbose_name=_("video management system"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cameras",
    )
    source = models.CharField(_("source catalogue"), max_length=60, blank=True)
    source_url = models.URLField(_("source URL"), max_length=300, blank=True)
    attribution = models.CharField(_("attribution"), max_length=300, blank=True)
    qa_flags = models.JSONField(_("data quality flags"), default=list, blank=True)

    class Meta:
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(heading__isnull=True)
                | models.Q(heading__gte=0, heading__lt=360),
                name="camera_heading_0_360",
            ),
            models.CheckConstraint(
                condition=models.Q(fov__isnull=True) | models.Q(fov__gt=0, fov__lte=360),
                name="camera_fov_0_360",
            ),
            models.CheckConstraint(
                condition=models.Q(range_m__gte=1, range_m__lte=1000), name="camera_range_1_1000"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "last_seen"], name="camera_status_seen_idx"),
            models.Index(fields=["vms", "code"], name="camera_vms_code_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def has_sector(self) -> bool:
        return self.heading is not None and self.fov is not None and self.fov < 360


class CameraOutage(models.Model):
    """A period in which a camera was not recording (offline or maintenance).

    Opened when a camera misses its heartbeats or reports itself down, and when it is first
    imported (nothing has vouched for it yet); closed by an ``online`` heartbeat. "Was the
    camera down at ``t``" is one indexed lookup.
    """

    camera = models.ForeignKey(
        Camera,
        verbose_name=_("camera"),
        on_delete=models.CASCADE,
        related_name="outages",
        db_index=False,  # camera_outage_period_idx leads with it
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Camera.Status.choices, default=Camera.Status.OFFLINE
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("camera outage")
        verbose_name_plural = _("camera outages")
        ordering = ["camera", "-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["camera"],
                condition=models.Q(ended_at__isnull=True),
                name="camera_one_open_outage",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="camera_outage_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["camera", "started_at"], name="camera_outage_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.camera_id}:{self.started_at:%Y-%m-%d %H:%M}"


class Clip(models.Model):
    """A reference to a recorded clip held by a VMS: where, when, which file; never the video.

    ``retain_until`` is the VMS's own retention; ``held_until`` is our evidence hold (set by
    the tickets that link the clip). The retention sweep deletes a clip record once both
    have passed.
    """

    uid = models.UUIDField(_("public id"), default=uuid.uuid4, editable=False, unique=True)
    camera = models.ForeignKey(
        Camera,
        verbose_name=_("camera"),
        on_delete=models.CASCADE,
        related_name="clips",
        db_index=False,  # clip_once_per_camera_start_sha leads with it
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    storage_uri = models.CharField(_("storage URI"), max_length=500)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size_bytes = models.BigIntegerField(_("size (bytes)"))
    poster_uri = models.CharField(_("poster image URI"), max_length=500, blank=True)
    retain_until = models.DateTimeField(_("kept by the VMS until"))
    held_until = models.DateTimeField(_("evidence hold until"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("clip")
        verbose_name_plural = _("clips")
        ordering = ["camera", "starts_at"]
        constraints = [
            # The ingest's idempotency key, and the linking query's range index.
            models.UniqueConstraint(
                fields=["camera", "starts_at", "sha256"], name="clip_once_per_camera_start_sha"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="clip_ends_after_start"
            ),
            models.CheckConstraint(condition=models.Q(size_bytes__gte=0), name="clip_size_gte_0"),
        ]
        indexes = [
            models.Index(fields=["retain_until"], name="clip_retain_until_idx"),
            models.Index(
                fields=["held_until"],
                condition=models.Q(held_until__isnull=False),
                name="clip_held_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.camera_id}@{self.starts_at:%Y-%m-%d %H:%M:%S}"

    @property
    def duration_s(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds()


class ClipRequest(models.Model):
    """Footage we need and do not have yet: a camera and a time window.

    ``ref`` names what needs it (``"report:123"``) without this app knowing what a report is.
    The VMS reads the open ones (``GET /api/v1/cctv/clip-requests/``); an ingest of a clip
    overlapping the window fulfils it and tells the requester (``CCTV_CLIP_ARRIVED_HANDLER``).
    """

    uid = models.UUIDField(_("public id"), default=uuid.uuid4, editable=False, unique=True)
    camera = models.ForeignKey(
        Camera, verbose_name=_("camera"), on_delete=models.CASCADE, related_name="clip_requests"
    )
    ref = models.CharField(_("requested for"), max_length=60)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("clip request")
        verbose_name_plural = _("clip requests")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["camera", "ref", "starts_at", "ends_at"], name="clip_request_once"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="clip_request_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(
                fields=["camera", "starts_at"],
                condition=models.Q(fulfilled_at__isnull=True),
                name="clip_request_open_idx",
            ),
            models.Index(fields=["ref"], name="clip_request_ref_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.camera_id}:{self.ref}"
