"""A report's history: its timeline events, custody intervals and the relay messages."""

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Agency
from apps.reports.models.report import Report


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
