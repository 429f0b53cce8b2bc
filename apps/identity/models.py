from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel


class Reporter(TimeStampedModel):
    """The pseudonymous face of a citizen: what tickets point to.

    Holds no personal data. Name, phone, e-mail and NIK live only in the encrypted
    ``ReporterIdentity`` (docs/privacy.md).
    """

    pseudonym = models.CharField(_("pseudonym"), max_length=32, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reporter",
    )
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporter")
        verbose_name_plural = _("reporters")

    def __str__(self) -> str:
        return self.pseudonym
