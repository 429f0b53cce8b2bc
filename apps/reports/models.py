"""Reports (tickets), their timeline, photos, supports, custody and messages.

Integer primary keys never leave the server: the API names a report by ``public_id``
(``LW-7K3QX9``) and a photo by its 1-based ``index`` within the report.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Agency
from apps.core.models import TimeStampedModel
from apps.identity.models import Reporter
from apps.routing.models import Area, Category

# Public ids: "LW-" + 6 characters from an alphabet without look-alikes (0/O, 1/I/L).
PUBLIC_ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PUBLIC_ID_LENGTH = 6
PUBLIC_ID_REGEX = r"LW-[23456789A-HJ-NP-Z]{6}"  # the URL converter (a superset)
DEADLINE = "sla_due_at"  # the annotation that carries the real deadline (selectors.with_deadline)


class Report(TimeStampedModel):
    class Channel(models.TextChoices):
        APP = "app", _("Mobile app")
        OPEN311 = "open311", _("Open311 client")
        STAFF = "staff", _("Entered by staff")

    class Status(models.TextChoices):
        MENUNGGU = "menunggu", _("Waiting for the unit")
        KOORDINASI = "koordinasi", _("Coordination with another unit")
        DISPOSISI = "disposisi", _("Handed down to a branch")
        PROSES = "proses", _("In progress")
        MENUNGGU_INFO_PELAPOR = "menunggu_info_pelapor", _("Waiting for the reporter")
        SELESAI = "selesai", _("Followed up")
        DIKONFIRMASI = "dikonfirmasi", _("Confirmed by the reporter")
        DIBUKA_KEMBALI = "dibuka_kembali", _("Reopened")
        DITOLAK = "ditolak", _("Rejected")

    # Allowed moves, as data (docs/conventions.md C6). Services check every change against it.
    TRANSITIONS: dict[str, set[str]] = {
        Status.MENUNGGU: {
            Status.KOORDINASI,
            Status.DISPOSISI,
            Status.PROSES,
            Status.MENUNGGU_INFO_PELAPOR,
            Status.DITOLAK,
        },
        Status.KOORDINASI: {
            Status.DISPOSISI,
            Status.PROSES,
            Status.MENUNGGU_INFO_PELAPOR,
            Status.DITOLAK,
        },
        Status.DISPOSISI: {
            Status.KOORDINASI,
            Status.PROSES,
            Status.MENUNGGU_INFO_PELAPOR,
            Status.DITOLAK,
        },
        Status.PROSES: {
            Status.KOORDINASI,
            Status.DISPOSISI,
            Status.MENUNGGU_INFO_PELAPOR,
            Status.SELESAI,
            Status.DITOLAK,
        },
        Status.MENUNGGU_INFO_PELAPOR: {Status.MENUNGGU, Status.PROSES, Status.DITOLAK},
        Status.SELESAI: {Status.DIKONFIRMASI, Status.DIBUKA_KEMBALI},
        Status.DIKONFIRMASI: set(),
        Status.DIBUKA_KEMBALI: {
            Status.KOORDINASI,
            Status.DISPOSISI,
            Status.PROSES,
            Status.MENUNGGU_INFO_PELAPOR,
            Status.SELESAI,
            Status.DITOLAK,
        },
        Status.DITOLAK: set(),
    }
    CLOSED_STATUSES: frozenset[str] = frozenset(
        {Status.SELESAI, Status.DIKONFIRMASI, Status.DITOLAK}
    )
    OPEN_STATUSES: frozenset[str] = frozenset(set(Status.values) - CLOSED_STATUSES)

    class LocationPrecision(models.TextChoices):
        """How well ``location`` is known (docs/open311.md, "Address without coordinates")."""

        EXACT = "exact", _("Coordinates from the reporter")
        KELURAHAN = "kelurahan", _("Approximate: a point inside the named kelurahan")
        UNKNOWN = "unknown", _("Location to be confirmed")

    public_id = models.CharField(_("public id"), max_length=9, editable=False)
    client_request_id = models.UUIDField(_("client request id"), editable=False)
    request_fingerprint = models.CharField(_("request fingerprint"), max_length=64, editable=False)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.APP
    )
    reporter = models.ForeignKey(
        Reporter,
        verbose_name=_("reporter"),
        on_delete=models.PROTECT,
        related_name="reports",
        db_index=False,  # report_reporter_recent_idx leads with it
    )
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    tracking_code_hash = models.CharField(
        _("tracking code hash"), max_length=64, blank=True, editable=False
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="reports"
    )
    description = models.TextField(_("description"))
    # Without a location (``location_precision == "unknown"``) there is no kelurahan either:
    # the report was filed by address only and waits in central triage (docs/open311.md).
    location = models.PointField(_("location"), geography=True, srid=4326, null=True, blank=True)
    location_precision = models.CharField(
        _("location precision"),
        max_length=10,
        choices=LocationPrecision.choices,
        default=LocationPrecision.EXACT,
    )
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    address_hint = models.CharField(_("address hint"), max_length=300, blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    area = models.ForeignKey(
        Area,
        verbose_name=_("kelurahan"),
        on_delete=models.PROTECT,
        related_name="reports",
        null=True,
        blank=True,
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("current unit"),
        on_delete=models.PROTECT,
        related_name="reports",
        db_index=False,  # report_agency_status_idx leads with it
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_reports",
        db_index=False,  # report_assignee_idx: only the assigned ones
    )
    routing_explanation = models.JSONField(_("routing explanation"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.MENUNGGU
    )
    # The calendar-day estimate made at filing (created + category.sla_days); it never moves.
    # The real deadline (working days, pauses, freezes) is the SLA clock's: read it with
    # ``apps.reports.selectors.with_deadline`` / ``Report.deadline()``.
    provisional_due_at = models.DateTimeField(_("provisional deadline (at filing)"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        db_index=False,  # report_parent_idx: only the merged ones
    )
    support_count = models.PositiveIntegerField(_("supports"), default=0)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["public_id"], name="report_public_id_unique"),
            models.UniqueConstraint(
                fields=["client_request_id"], name="report_client_request_id_unique"
            ),
            models.UniqueConstraint(
                fields=["tracking_code_hash"],
                condition=~models.Q(tracking_code_hash=""),
                name="report_tracking_code_hash_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="report_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="report_not_own_parent"
            ),
            # A location and a kelurahan, or neither: then the location is to be confirmed.
            models.CheckConstraint(
                condition=models.Q(
                    location_precision="unknown", location__isnull=True, area__isnull=True
                )
                | (
                    ~models.Q(location_precision="unknown")
                    & models.Q(location__isnull=False, area__isnull=False)
                ),
                name="report_location_known_or_to_confirm",
            ),
        ]
        indexes = [
            models.Index(fields=["reporter", "-created_at"], name="report_reporter_recent_idx"),
            models.Index(fields=["agency", "status"], name="report_agency_status_idx"),
            models.Index(
                fields=["-created_at"],
                condition=models.Q(is_public=True, parent__isnull=True),
                name="report_public_recent_idx",
            ),
            # Most tickets have no assignee yet and are not merged: index the others only
            # (an equality lookup, and the foreign keys' checks, still use these).
            models.Index(
                fields=["assignee"],
                condition=models.Q(assignee__isnull=False),
                name="report_assignee_idx",
            ),
            models.Index(
                fields=["parent"],
                condition=models.Q(parent__isnull=False),
                name="report_parent_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def location_is_exact(self) -> bool:
        """Whether ``location`` is where the reporter said; only such points go on maps."""
        return self.location_precision == self.LocationPrecision.EXACT

    def deadline(self) -> datetime | None:
        """The real deadline: ``sla_due_at`` as annotated by ``selectors.with_deadline`` (the SLA
        clock's ``due_at``; ``None`` while the clock is paused or stopped), or the provisional
        one for a report read without it (just filed: its clock does not exist yet)."""
        return getattr(self, DEADLINE, self.provisional_due_at)


class ReportEvent(models.Model):
    """One entry of a report's timeline. Every state change writes one, in its transaction."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        TRANSFERRED = "transferred", _("Transferred")
        MESSAGE = "message", _("Message")
        PHOTO = "photo", _("Photo added")
        SUPPORT = "support", _("Supported")
        RATING = "rating", _("Rated")
        CLAIMED = "claimed", _("Claimed by the reporter")
        CORRECTED = "corrected", _("Place or time corrected")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal")

    report = models.ForeignKey(
        Report,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,  # report_event_timeline_idx leads with it
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(
        _("from status"), max_length=30, choices=Report.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=30, choices=Report.Status.choices, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("acting unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["report", "created_at"], name="report_event_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.kind}"

    @property
    def staff_actor_label(self) -> str | None:
        """Who acted, as staff see it: an officer by username; a citizen never by anything
        of their account (it would link their tickets), only as "the reporter" or, for a
        supporter, "a citizen" (docs/security.md). Needs ``actor`` loaded."""
        if self.actor is None:
            return None
        if self.actor.is_staff:
            return self.actor.username
        if self.kind == self.Kind.SUPPORT:
            return str(_("Citizen"))
        return str(_("Reporter"))


class ReportPhoto(models.Model):
    """A re-encoded photo (no metadata) and its thumbnail, in private storage.

    ``exif_location`` is the GPS position read from the upload before stripping: a
    server-side signal only, never shown to the public or the reporter.
    """

    class Kind(models.TextChoices):
        BEFORE = "before", _("Reported (before)")
        AFTER = "after", _("Follow-up (after)")

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="photos"
    )
    index = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.BEFORE)
    image = models.FileField(_("image"), max_length=200)
    thumbnail = models.FileField(_("thumbnail"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=40)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size_bytes = models.PositiveIntegerField(_("stored size (bytes)"))
    sha256 = models.CharField(_("SHA-256 of the stored file"), max_length=64)
    upload_sha256 = models.CharField(_("SHA-256 of the upload"), max_length=64)
    exif_location = models.PointField(
        _("EXIF location"), geography=True, srid=4326, null=True, blank=True
    )
    location_mismatch = models.BooleanField(_("location mismatch"), default=False)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")
        ordering = ["report", "index"]
        constraints = [
            models.UniqueConstraint(fields=["report", "index"], name="report_photo_index_unique"),
            models.CheckConstraint(condition=models.Q(index__gte=1), name="report_photo_index_1"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}#{self.index}"


class ReportSupport(models.Model):
    """A reporter's "+1" on someone's report; once per reporter."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="supports"
    )
    reporter = models.ForeignKey(
        Reporter, verbose_name=_("reporter"), on_delete=models.PROTECT, related_name="supports"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report support")
        verbose_name_plural = _("report supports")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "reporter"], name="report_support_once_per_reporter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}+{self.reporter_id}"


class Custody(models.Model):
    """Who held a report when: one interval per holding unit (and officer)."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="custody"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="custody"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # custody_officer_idx: only the intervals an officer held
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("custody interval")
        verbose_name_plural = _("custody intervals")
        ordering = ["report", "started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report"],
                condition=models.Q(ended_at__isnull=True),
                name="custody_one_open_interval_per_report",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="custody_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(
                fields=["officer"],
                condition=models.Q(officer__isnull=False),
                name="custody_officer_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id}@{self.agency_id}"


class ReportMessage(models.Model):
    """The relay between officers and the reporter (officers never see the reporter's identity)."""

    class Direction(models.TextChoices):
        TO_REPORTER = "to_reporter", _("To the reporter")
        FROM_REPORTER = "from_reporter", _("From the reporter")

    report = models.ForeignKey(
        Report,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="messages",
        db_index=False,  # report_message_thread_idx leads with it
    )
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices)
    body = models.TextField(_("body"))
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit that wrote (to the reporter) or was written to."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report message")
        verbose_name_plural = _("report messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["report", "created_at"], name="report_message_thread_idx")]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.direction}"


# At the end so that the models above exist first.
from apps.reports.models_evidence import ClipPlay, ReportClip  # noqa: E402, F401
