import hashlib
import json
import uuid
from collections.abc import Iterable
from datetime import UTC

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel


class Reporter(TimeStampedModel):
    """The pseudonymous face of a citizen: what tickets point to.

    Holds no personal data. Name, phone, e-mail and NIK live only in the encrypted
    ``ReporterIdentity`` (docs/privacy.md).
    """

    # Unique by a named constraint rather than unique=True, which would add a second index
    # for LIKE searches that nothing runs; intake retries on this name (PSEUDONYM_CONSTRAINT).
    pseudonym = models.CharField(_("pseudonym"), max_length=32)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reporter",
    )
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    reveal_restricted = models.BooleanField(
        _("reveal restricted"),
        default=False,
        help_text=_("If set (e.g. a protected whistle-blower), every reveal is refused."),
    )

    class Meta:
        verbose_name = _("reporter")
        verbose_name_plural = _("reporters")
        constraints = [
            models.UniqueConstraint(fields=["pseudonym"], name="identity_reporter_pseudonym_key")
        ]

    def __str__(self) -> str:
        return self.pseudonym


class InboxMessage(models.Model):
    """A message to a reporter from the unit handling their ticket (the contact relay).

    Officers never see who the reporter is: they write to the ticket, the outbox calls
    ``services.inbox_deliver`` and the reporter reads it in the app (plus one push).
    ``dedup_key`` makes a redelivered outbox message store nothing new.
    """

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    reporter = models.ForeignKey(
        Reporter, verbose_name=_("reporter"), on_delete=models.CASCADE, related_name="inbox"
    )
    # A short code chosen by the sender (e.g. "status", "message", "info_request").
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    report_public_id = models.CharField(_("report public id"), max_length=32, blank=True)
    dedup_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        indexes = [
            models.Index(
                fields=["reporter", "-created_at", "-id"], name="identity_inbox_newest_idx"
            )
        ]

    def __str__(self) -> str:
        return f"inbox#{self.pk} ({self.kind})"


class IdentityField(models.TextChoices):
    NAME = "name", _("name")
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")
    NIK = "nik", _("NIK")


class RevealReason(models.TextChoices):
    """Why an officer asks to see a reporter's identity: the first word of a request's reason
    (``"verify: <justification>"``)."""

    FOLLOW_UP = "follow_up", _("Follow-up needs direct contact with the reporter")
    VERIFY = "verify", _("Verify the report (location, facts)")
    SAFETY = "safety", _("Safety of the reporter or of others")
    LEGAL = "legal", _("Request from law enforcement or a court")
    OTHER = "other", _("Other (explain in the justification)")


def reveal_reason_label(reason: str) -> str:
    """``"verify: Cek lokasi"`` → "Verifikasi laporan (lokasi, fakta): Cek lokasi"."""
    code, sep, justification = reason.partition(": ")
    if sep and code in RevealReason.values:
        return f"{RevealReason(code).label}: {justification}"
    return reason


def identity_field_labels(fields: Iterable[str]) -> str:
    """``["name", "phone"]`` as their labels ("nama, telepon"): names, never values."""
    labels = dict(IdentityField.choices)
    return ", ".join(str(labels.get(name, name)) for name in fields)


class ReporterKey(models.Model):
    """The reporter's data key, wrapped (AES-256-GCM) by the master key ``kid``.

    Deleting this row destroys every ciphertext of the reporter (crypto-shredding).
    """

    reporter = models.OneToOneField(
        Reporter,
        verbose_name=_("reporter"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="data_key",
    )
    kid = models.CharField(_("master key id"), max_length=40, db_index=True)
    wrapped_key = models.BinaryField(_("wrapped data key"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    rewrapped_at = models.DateTimeField(_("re-wrapped at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporter data key")
        verbose_name_plural = _("reporter data keys")

    def __str__(self) -> str:
        return f"data key of reporter #{self.pk} ({self.kid})"


class ReporterIdentity(models.Model):
    """The reporter's personal data, each field sealed separately (``identity.vault``).

    A value is ``version byte || 12-byte nonce || ciphertext+tag``; the associated data
    ``"identity_reporteridentity:<reporter id>:<field>:<version>"`` binds it to its row and
    column, so a ciphertext copied elsewhere does not decrypt.
    """

    reporter = models.OneToOneField(
        Reporter,
        verbose_name=_("reporter"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="identity",
    )
    enc_name = models.BinaryField(_("name (encrypted)"), null=True)
    enc_phone = models.BinaryField(_("phone (encrypted)"), null=True)
    enc_email = models.BinaryField(_("e-mail (encrypted)"), null=True)
    enc_nik = models.BinaryField(_("NIK (encrypted)"), null=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reporter identity")
        verbose_name_plural = _("reporter identities")

    def __str__(self) -> str:
        return f"identity of reporter #{self.pk}"


class BlindIndex(models.Model):
    """A 20-bit keyed hash of a normalised phone or e-mail, per index key version."""

    class Field(models.TextChoices):
        PHONE = "phone", _("phone")
        EMAIL = "email", _("e-mail")

    reporter = models.ForeignKey(
        Reporter, verbose_name=_("reporter"), on_delete=models.CASCADE, related_name="blind_indexes"
    )
    field = models.CharField(_("field"), max_length=10, choices=Field.choices)
    version = models.PositiveSmallIntegerField(_("key version"))
    value = models.IntegerField(_("bucket"))

    class Meta:
        verbose_name = _("blind index")
        verbose_name_plural = _("blind indexes")
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "field", "version"], name="identity_blind_index_once"
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=0, value__lt=2**20),
                name="identity_blind_index_20_bits",
            ),
        ]
        indexes = [
            models.Index(
                fields=["field", "version", "value"],
                include=["reporter"],
                name="identity_blind_index_lookup",
            )
        ]

    def __str__(self) -> str:
        return f"{self.field} v{self.version} of reporter #{self.reporter_id}"


class OtpChallenge(models.Model):
    """One SMS sign-in code. The phone and client IP are stored only as keyed hashes."""

    phone_digest = models.CharField(_("phone digest"), max_length=64)
    ip_digest = models.CharField(_("client IP digest"), max_length=64)
    key_version = models.PositiveSmallIntegerField(_("key version"))
    code_hash = models.CharField(_("salt and code hash"), max_length=96)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    consumed_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [
            models.Index(fields=["phone_digest", "created_at"], name="identity_otp_phone_idx"),
            models.Index(fields=["ip_digest", "created_at"], name="identity_otp_ip_idx"),
            models.Index(fields=["created_at"], name="identity_otp_created_idx"),
        ]

    def __str__(self) -> str:
        return f"otp#{self.pk}"


class RevealRequest(TimeStampedModel):
    """An officer asks to see a reporter's identity for one ticket; a supervisor grants it.

    ``ticket_ref`` is the report's public id (``LW-7K3QX9``): identity sits below reports in
    the dependency order, so it cannot hold a foreign key to the ticket.
    """

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    reporter = models.ForeignKey(
        Reporter,
        verbose_name=_("reporter"),
        on_delete=models.PROTECT,
        related_name="reveal_requests",
    )
    ticket_ref = models.CharField(_("ticket"), max_length=32)
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    fields = models.JSONField(_("fields"), default=list)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    # A grant allows one reveal (docs/privacy.md): set when it is made, in its transaction.
    revealed_at = models.DateTimeField(_("revealed at"), null=True, blank=True)
    # A supervisor may reject a pending request instead, with a reason the requester reads.
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rejected by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)

    class Meta:
        verbose_name = _("reveal request")
        verbose_name_plural = _("reveal requests")
        constraints = [
            # Four eyes: nobody grants their own request.
            models.CheckConstraint(
                condition=~models.Q(granted_by=models.F("requested_by")),
                name="identity_reveal_not_self_granted",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        granted_by__isnull=True, granted_at__isnull=True, expires_at__isnull=True
                    )
                    | models.Q(
                        granted_by__isnull=False, granted_at__isnull=False, expires_at__isnull=False
                    )
                ),
                name="identity_reveal_grant_complete",
            ),
            # A request is decided once: granted or rejected, never both.
            models.CheckConstraint(
                condition=models.Q(granted_at__isnull=True)
                | models.Q(rejected_at__isnull=True, rejected_by__isnull=True),
                name="identity_reveal_granted_or_rejected",
            ),
        ]
        indexes = [
            models.Index(
                fields=["reporter", "agency", "requested_by", "ticket_ref"],
                name="identity_reveal_lookup_idx",
            )
        ]

    def __str__(self) -> str:
        return str(_("Reveal request for %(ticket)s")) % {"ticket": self.ticket_ref}


class IdentityAccessEvent(models.Model):
    """Append-only, hash-chained log of every access decision on reporter identity.

    A PostgreSQL trigger refuses UPDATE and DELETE (migration 0003). Each row stores the
    previous row's hash and ``hash = sha256(prev_hash + canonical JSON of the row)``;
    ``manage.py verify_identity_audit`` walks the chain. Holds ids and codes, never PII.
    """

    class Kind(models.TextChoices):
        REQUESTED = "requested", _("Reveal requested")
        GRANTED = "granted", _("Reveal granted")
        REJECTED = "rejected", _("Reveal request rejected")
        REVEALED = "revealed", _("Identity revealed")
        DENIED = "denied", _("Access denied")
        ERASED = "erased", _("Identity erased")
        RESTRICTED = "restricted", _("Reveal restriction changed")

    created_at = models.DateTimeField(_("at"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reporter = models.ForeignKey(
        Reporter,
        verbose_name=_("reporter"),
        on_delete=models.PROTECT,
        related_name="access_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ticket_ref = models.CharField(_("ticket"), max_length=32, blank=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("identity access event")
        verbose_name_plural = _("identity access events")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["reporter", "kind"], name="identity_access_reporter_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.ticket_ref or '-'}"

    GENESIS_HASH = "0" * 64

    def canonical_json(self) -> str:
        """The row as sorted, compact JSON: what the chain hash covers (everything but hashes)."""
        return json.dumps(
            {
                "id": self.pk,
                "created_at": self.created_at.astimezone(UTC).isoformat(),
                "kind": self.kind,
                "reporter_id": self.reporter_id,
                "actor_id": self.actor_id,
                "agency_id": self.agency_id,
                "ticket_ref": self.ticket_ref,
                "fields": self.fields,
                "reason": self.reason,
                "detail": self.detail,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )

    def compute_hash(self, prev_hash: str) -> str:
        return hashlib.sha256((prev_hash + self.canonical_json()).encode("utf-8")).hexdigest()
