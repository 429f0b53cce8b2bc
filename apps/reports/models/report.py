"""The report (ticket): its statuses and the allowed moves, its place and who holds it."""

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
