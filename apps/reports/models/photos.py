"""A report's photos and the citizens' supports ("+1")."""

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from apps.identity.models import Reporter
from apps.reports.models.report import Report


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
