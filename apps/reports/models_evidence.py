"""CCTV evidence on a ticket (docs/cctv.md): the report↔clip links and the play log.

Imported at the end of ``apps.reports.models`` so that Django registers them with the app.
The cameras and clips themselves live in ``apps.cctv``, which knows nothing of reports.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.cctv.models import Camera, Clip


class ReportClip(models.Model):
    """A clip linked to a ticket, automatically (place and time) or by an officer.

    A manual decision is final for the automatic pass: a manual link is never removed by it,
    and a link removed by hand stays as a ``removed`` row so the pass never adds it again.
    """

    class Source(models.TextChoices):
        AUTO = "auto", _("Automatic (place and time)")
        MANUAL = "manual", _("Added or removed by an officer")

    class Reason(models.TextChoices):
        IN_SECTOR = "in_sector", _("The point is in the camera's view sector")
        IN_RANGE = "in_range_heading_unknown", _("Within range (heading unknown)")
        MANUAL = "manual", _("Chosen by an officer")

    report = models.ForeignKey(
        "reports.Report",
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="clip_links",
        db_index=False,  # report_clip_once leads with it
    )
    clip = models.ForeignKey(
        Clip, verbose_name=_("clip"), on_delete=models.CASCADE, related_name="report_links"
    )
    camera = models.ForeignKey(
        Camera, verbose_name=_("camera"), on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    distance_m = models.FloatField(_("distance (m)"), null=True, blank=True)
    bearing_deg = models.FloatField(_("bearing from the camera"), null=True, blank=True)
    overlap_s = models.FloatField(_("overlap with the window (s)"), null=True, blank=True)
    offset_s = models.FloatField(_("clip start minus report time (s)"))
    removed = models.BooleanField(_("removed by an officer"), default=False)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("linked clip")
        verbose_name_plural = _("linked clips")
        ordering = ["report", "offset_s", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "clip"], name="report_clip_once"),
            models.CheckConstraint(
                condition=models.Q(source="manual") | models.Q(removed=False),
                name="report_clip_only_officers_remove",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}~{self.clip_id}"


class ClipPlay(models.Model):
    """One play of a linked clip (a signed URL handed out): who, which ticket, why."""

    class Purpose(models.TextChoices):
        INVESTIGATION = "investigation", _("Handling the report")
        VERIFICATION = "verification", _("Verifying the report")
        SUPERVISION = "supervision", _("Supervision")
        LEGAL = "legal_request", _("Legal request (police, court)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    report = models.ForeignKey(
        "reports.Report", verbose_name=_("report"), on_delete=models.PROTECT, related_name="+"
    )
    clip = models.ForeignKey(
        Clip,
        verbose_name=_("clip"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    clip_uid = models.UUIDField(_("clip id"))  # kept when the clip record expires
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    created_at = models.DateTimeField(_("played at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("clip play")
        verbose_name_plural = _("clip plays")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["report", "created_at"], name="clip_play_report_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.report_id}:{self.clip_uid}"
