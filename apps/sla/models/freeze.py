"""Area freezes: a manager pauses every clock inside an area for a while."""

from django.conf import settings
from django.contrib.gis.db.models import MultiPolygonField
from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaFreeze(models.Model):
    """A manager pauses every clock inside ``area`` from ``starts_at`` to ``ends_at``.

    Rows are never edited (the admin and the API only add them): who, when and what stay
    on record. Clocks of reports located inside take the period as an extra pause.
    """

    area = MultiPolygonField(_("area"), srid=4326)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.TextField(_("reason"))
    vertex_count = models.PositiveIntegerField(_("vertices"))
    clocks_affected = models.PositiveIntegerField(_("clocks marked for recomputation"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("area freeze")
        verbose_name_plural = _("area freezes")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="area_freeze_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.starts_at:%Y-%m-%d %H:%M} - {self.ends_at:%Y-%m-%d %H:%M}: {self.reason[:40]}"
        )
