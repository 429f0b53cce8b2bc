from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel


class ClientApp(TimeStampedModel):
    """An application allowed to submit service requests through Open311 (GeoReport v2).

    Only a SHA-256 hash of its ``api_key`` is stored; the key itself is shown once, by
    ``manage.py create_open311_client``. Keys are 256-bit random strings, so a fast hash is
    enough: there is nothing to brute-force. ``key_prefix`` (the first characters of the key)
    lets an operator tell keys apart without storing them.
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    key_prefix = models.CharField(_("key prefix"), max_length=16)
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("Open311 client app")
        verbose_name_plural = _("Open311 client apps")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


class ClientSubmission(models.Model):
    """Which client app submitted a report through ``POST requests`` (for audit and abuse
    handling). The Open311 ``token`` of the request is the report's ``client_request_id``."""

    report = models.OneToOneField(
        "reports.Report",
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="open311_submission",
    )
    client = models.ForeignKey(
        ClientApp,
        verbose_name=_("client app"),
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    # GeoReport v2 ``media_url``: a picture the client hosts. Validated (http/https, at most
    # 2,000 characters) and returned as given; never fetched by the server.
    media_url = models.URLField(_("media URL"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 submission")
        verbose_name_plural = _("Open311 submissions")

    def __str__(self) -> str:
        return f"{self.client_id}:{self.report_id}"
