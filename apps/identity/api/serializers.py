"""Input and output shapes of the identity API (unique names: they become schema components).

Input serializers validate and normalise; they never save.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.identity import normalise
from apps.identity.models import InboxMessage, RevealRequest
from apps.identity.services.reveal import GRANT_HOURS_MAX, GRANT_HOURS_MIN


class _NormalisedField(serializers.CharField):
    """Text normalised by ``normaliser``. Only a JSON string is text here: a number (``8.12e9``)
    would reach the normaliser as its decimal spelling, so it is refused instead."""

    normaliser: Any = None
    default_error_messages = {"not_text": _("Give the value as text.")}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_text")
        text = super().to_internal_value(data)
        if text == "" and self.allow_blank:
            return text
        try:
            return str(type(self).normaliser(text))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class PhoneField(_NormalisedField):
    """A mobile number in any common notation; becomes E.164 (``+628123456789``)."""

    normaliser = staticmethod(normalise.normalise_phone)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", normalise.MAX_RAW_PHONE_LENGTH)
        super().__init__(**kwargs)


class EmailNormalisedField(_NormalisedField):
    normaliser = staticmethod(normalise.normalise_email)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)


class NikField(_NormalisedField):
    normaliser = staticmethod(normalise.normalise_nik)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)


# --- sign-in ---------------------------------------------------------------------------------


class OtpRequestInputSerializer(serializers.Serializer):
    phone = PhoneField()


class OtpRequestOutputSerializer(serializers.Serializer):
    status = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Seconds the code stays valid.")


class OtpVerifyInputSerializer(serializers.Serializer):
    phone = PhoneField()
    code = serializers.RegexField(r"^[0-9]{6}$", max_length=6)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = EmailNormalisedField(required=False, allow_blank=True)


class ReporterPseudonymOutputSerializer(serializers.Serializer):
    pseudonym = serializers.CharField()


class OtpVerifyOutputSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    reporter = ReporterPseudonymOutputSerializer()


# --- the citizen's own data ------------------------------------------------------------------


class MeOutputSerializer(serializers.Serializer):
    pseudonym = serializers.CharField()
    created_at = serializers.DateTimeField()
    name = serializers.CharField(allow_null=True)
    phone = serializers.CharField(allow_null=True)
    email = serializers.CharField(allow_null=True)
    nik = serializers.CharField(allow_null=True)


class MeUpdateInputSerializer(serializers.Serializer):
    """Blank clears a value. The phone changes only by signing in with the new number."""

    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = EmailNormalisedField(required=False, allow_blank=True)
    nik = NikField(required=False, allow_blank=True)


class InboxMessageOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = InboxMessage
        fields = ["id", "kind", "title", "body", "report_public_id", "created_at", "read_at"]
        read_only_fields = fields


class PageQueryInputSerializer(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, required=False, help_text="1-based page number.")
    page_size = serializers.IntegerField(
        min_value=1, required=False, help_text="Items per page; values above 100 count as 100."
    )


class _PageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class InboxPageOutputSerializer(_PageSerializer):
    results = InboxMessageOutputSerializer(many=True)


class ExportRevealOutputSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    ticket_ref = serializers.CharField()
    agency = serializers.CharField()
    # The API key is "fields"; the name shadows Serializer.fields only for the type checker.
    fields = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]
    reason = serializers.CharField()


# --- staff: reveal workflow ------------------------------------------------------------------


class RevealRequestGrantInputSerializer(serializers.Serializer):
    ttl_hours = serializers.IntegerField(
        min_value=GRANT_HOURS_MIN,
        max_value=GRANT_HOURS_MAX,
        required=False,
        help_text="Default 24.",
    )


class RevealRequestOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    # No pseudonym: it is the same on every ticket of the reporter, so it would let the unit
    # link tickets to one person (docs/security.md). The ticket is named by ``ticket_ref``.
    agency = serializers.CharField(source="agency.code", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    granted_by = serializers.CharField(
        source="granted_by.username", read_only=True, allow_null=True, default=None
    )
    rejected_by = serializers.CharField(
        source="rejected_by.username", read_only=True, allow_null=True, default=None
    )
    fields = serializers.ListField(  # type: ignore[assignment]  # API key "fields"
        child=serializers.CharField(), read_only=True
    )

    class Meta:
        model = RevealRequest
        fields = [
            "id",
            "ticket_ref",
            "agency",
            "fields",
            "reason",
            "requested_by",
            "created_at",
            "granted_by",
            "granted_at",
            "expires_at",
            "rejected_by",
            "rejected_at",
            "rejection_reason",
        ]
        read_only_fields = fields


class IdentityRevealOutputSerializer(serializers.Serializer):
    pseudonym = serializers.CharField()
    ticket_ref = serializers.CharField()
    identity = serializers.DictField(child=serializers.CharField(allow_null=True))


class RevealRequestPageOutputSerializer(_PageSerializer):
    results = RevealRequestOutputSerializer(many=True)
