"""Pre-aggregated numbers behind the monitoring dashboard (docs/dashboard.md).

The pages never count tickets: ``apps.dashboard.services.dashboard_refresh`` (beat entry
``dashboard-refresh``) replaces these rows set-based in one transaction, and the pages read a
few hundred of them. Readers see the previous generation until the refresh commits.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Agency
from apps.routing.models import Area, Category


class AreaStat(models.Model):
    """Counts for the whole city (``area`` empty) or one kelurahan, along one dimension.

    ``total``, ``category`` and ``unit`` rows count the tickets filed this month (Jakarta time)
    and ``open_now`` every open ticket whatever its age; ``week`` rows count the tickets filed
    in that week (the last twelve weeks). Merged duplicates never count.
    """

    class Dimension(models.TextChoices):
        TOTAL = "total", _("Total")
        WEEK = "week", _("Week")
        CATEGORY = "category", _("Category")
        UNIT = "unit", _("Unit")

    area = models.ForeignKey(
        Area,
        verbose_name=_("kelurahan"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices)
    week = models.DateField(_("week"), null=True, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    reports = models.PositiveIntegerField(_("reports"), default=0)
    public_reports = models.PositiveIntegerField(_("public reports"), default=0)
    private_reports = models.PositiveIntegerField(_("private reports"), default=0)
    open_now = models.PositiveIntegerField(_("open now"), default=0)
    completed = models.PositiveIntegerField(_("followed up"), default=0)
    on_time = models.PositiveIntegerField(_("followed up on time"), default=0)
    missed = models.PositiveIntegerField(_("missed"), default=0)
    median_hours = models.FloatField(_("median hours to follow-up"), null=True, blank=True)

    class Meta:
        verbose_name = _("dashboard count")
        verbose_name_plural = _("dashboard counts")
        indexes = [models.Index(fields=["area", "dimension"], name="dashboard_stat_area_idx")]

    def __str__(self) -> str:
        return f"{self.area_id or 'city'}:{self.dimension}"


class ClusterCell(models.Model):
    """Open public reports with an exact location, counted per grid cell and map zoom.

    The point is the mean of the reports in the cell, so a cell of one report is where that
    public report is; private reports and approximate locations are never in here.
    """

    zoom = models.PositiveSmallIntegerField(_("zoom"))
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    count = models.PositiveIntegerField(_("reports"))

    class Meta:
        verbose_name = _("map cluster")
        verbose_name_plural = _("map clusters")
        indexes = [models.Index(fields=["zoom", "lon", "lat"], name="dashboard_cluster_idx")]

    def __str__(self) -> str:
        return f"z{self.zoom} {self.lon:.4f},{self.lat:.4f}: {self.count}"


class DashboardRefresh(models.Model):
    """The last refresh (one row, pk 1): when, for which month, how long it took."""

    refreshed_at = models.DateTimeField(_("refreshed at"))
    month_start = models.DateTimeField(_("month from"))
    took_ms = models.PositiveIntegerField(_("took (ms)"), default=0)

    class Meta:
        verbose_name = _("dashboard refresh")
        verbose_name_plural = _("dashboard refreshes")

    def __str__(self) -> str:
        return f"{self.refreshed_at:%Y-%m-%d %H:%M}"
