"""Performance: an append-only score ledger, frozen monthly snapshots and appeals (sanggah).

Formula and rules: docs/performance.md. Nothing here is ever edited after it is written:
a decided appeal adds adjustment rows, a closed month keeps its snapshots.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Agency
from apps.reports.models import Report

FORMULA_VERSION = 1
MIN_TICKETS = 5


class ScoreEvent(models.Model):
    """One entry of the ledger, charged to a unit and (when known) an officer."""

    class Kind(models.TextChoices):
        BREACH = "breach", _("SLA breach")
        ON_TIME = "on_time", _("Followed up on time")
        REOPEN = "reopen", _("Reopened after completion")
        RATING = "rating", _("Reporter rating")

    class Source(models.TextChoices):
        SLA_BREACH = "sla_breach", _("SLA breach record")
        REPORT_EVENT = "report_event", _("Report timeline event")
        APPEAL = "appeal", _("Decided appeal (adjustment)")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_id = models.BigIntegerField(_("source id"))
    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="score_events"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="score_events"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="score_events",
    )
    # +1 for an ordinary row; -1 for an adjustment that cancels one (an upheld appeal).
    count = models.SmallIntegerField(_("count"), default=1)
    # Breach -1, on time +1, reopen -1, rating (stars - 3); an adjustment the opposite.
    points = models.SmallIntegerField(_("points"))
    rating = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    period = models.DateField(_("month"), help_text=_("First day of the month, Jakarta time."))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("score event")
        verbose_name_plural = _("score events")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id", "kind"], name="score_event_once_per_source"
            ),
            models.CheckConstraint(
                condition=models.Q(count__in=[1, -1]), name="score_event_count_plus_minus_one"
            ),
        ]
        indexes = [
            models.Index(fields=["period", "agency"], name="score_event_unit_idx"),
            models.Index(fields=["period", "officer"], name="score_event_officer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.points:+d} ({self.period:%Y-%m})"


class PerformanceMonth(models.Model):
    """A month that has been closed: its snapshots are frozen."""

    period = models.DateField(_("month"), unique=True)
    formula_version = models.PositiveSmallIntegerField(_("formula version"))
    closed_at = models.DateTimeField(_("closed at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")
        ordering = ["-period"]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m}"


class ScoreSnapshot(models.Model):
    """The frozen score of one unit or one officer for a closed month, with its raw counts."""

    period = models.DateField(_("month"))
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="score_snapshots",
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="score_snapshots",
    )
    formula_version = models.PositiveSmallIntegerField(_("formula version"))
    tickets = models.IntegerField(_("tickets"))
    on_time = models.IntegerField(_("followed up on time"))
    breaches = models.IntegerField(_("breaches"))
    reopens = models.IntegerField(_("reopens"))
    ratings = models.IntegerField(_("ratings"))
    rating_sum = models.IntegerField(_("sum of stars"))
    adjustments = models.IntegerField(_("adjustments"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    created_at = models.DateTimeField(_("frozen at"))

    class Meta:
        verbose_name = _("score snapshot")
        verbose_name_plural = _("score snapshots")
        ordering = ["-period", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agency__isnull=True) ^ models.Q(officer__isnull=True),
                name="score_snapshot_one_subject",
            ),
            models.UniqueConstraint(
                fields=["period", "agency"],
                condition=models.Q(officer__isnull=True),
                name="score_snapshot_once_per_unit_month",
            ),
            models.UniqueConstraint(
                fields=["period", "officer"],
                condition=models.Q(agency__isnull=True),
                name="score_snapshot_once_per_officer_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.agency_id or self.officer_id}: {self.score}"


class Appeal(models.Model):
    """A sanggah: the charged officer contests a breach of a closed month."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Upheld (breach cancelled)")
        REJECTED = "rejected", _("Rejected")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    score_event = models.OneToOneField(
        ScoreEvent,
        verbose_name=_("contested entry"),
        on_delete=models.PROTECT,
        related_name="appeal",
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="performance_appeals",
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("appeal (sanggah)")
        verbose_name_plural = _("appeals (sanggah)")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"appeal {self.pk} ({self.status})"


class ManagerReport(ScoreEvent):
    """No data of its own: the entry of the manager report page in the admin menu."""

    class Meta:
        proxy = True
        verbose_name = _("performance report")
        verbose_name_plural = _("performance report")
