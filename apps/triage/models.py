"""Texts officers reuse: public response templates per category, canned reasons per unit.

They keep the tables they had when they lived in ``reports`` (``db_table``): the move was a
state-only migration, no row moved.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Agency
from apps.core.models import TimeStampedModel
from apps.routing.models import Category


class ResponseTemplate(TimeStampedModel):
    """A public note to start from when moving a ticket of ``category`` to ``status``.

    Without a category the template applies to every category.
    """

    class Purpose(models.TextChoices):
        START = "start", _("Start work (proses)")
        COMPLETE = "complete", _("Follow-up (selesai)")
        REJECT = "reject", _("Rejection (ditolak)")
        ASK = "ask", _("Question to the reporter")

    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="response_templates",
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=2000)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    class Meta:
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")
        db_table = "reports_responsetemplate"
        ordering = ["purpose", "sort_order", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "purpose", "title"],
                name="response_template_unique_title",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CannedReason(TimeStampedModel):
    """A unit's ready-made reason for a transfer, a decline or a rejection."""

    class Purpose(models.TextChoices):
        KOORDINASI = "koordinasi", _("Koordinasi request")
        DECLINE = "decline", _("Declining a koordinasi")
        RETURN = "return", _("Not our authority (back to triage)")
        REJECT = "reject", _("Rejection")

    agency = models.ForeignKey(
        Agency, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="canned_reasons"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    text = models.CharField(_("text"), max_length=500)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned reason")
        verbose_name_plural = _("canned reasons")
        db_table = "reports_cannedreason"
        ordering = ["agency", "purpose", "text"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "purpose", "text"], name="canned_reason_unique_text"
            ),
        ]

    def __str__(self) -> str:
        return self.text
