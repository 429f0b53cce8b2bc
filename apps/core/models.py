from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class OutboxMessage(models.Model):
    """A side effect recorded in the same transaction as the change that caused it.

    ``handler`` is the dotted path of an idempotent function under ``apps.`` that receives
    ``payload`` as keyword arguments. The relay (``apps.core.tasks``) calls it at least once;
    the handler makes the effect happen once (docs/architecture.md, reliability).
    Payloads carry ids only, never personal data.
    """

    handler = models.CharField(_("handler"), max_length=200)
    payload = models.JSONField(_("payload"), default=dict)
    # NULL means "no key": the unique constraint ignores NULLs, an empty string would not.
    dedup_key = models.CharField(_("deduplication key"), max_length=200, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    available_at = models.DateTimeField(_("available at"), db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        constraints = [
            models.UniqueConstraint(fields=["dedup_key"], name="outbox_dedup_key_unique"),
            models.CheckConstraint(
                condition=models.Q(handler__startswith="apps."), name="outbox_handler_in_apps"
            ),
        ]
        indexes = [
            models.Index(
                fields=["available_at"],
                condition=models.Q(delivered_at__isnull=True),
                name="outbox_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.handler}#{self.pk}"
