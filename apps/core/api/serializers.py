"""Serializers every API shares: the one error shape (apps.core.api.handlers)."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailOutputSerializer(serializers.Serializer):
    """The body of every error (apps.core.api.handlers): a stable code, a message, fields.

    Some codes add their own keys beside these (``current``/``requested`` for
    ``invalid_transition``, ``reason``/``photo`` for ``invalid_image``).
    """

    code = serializers.CharField(help_text="Stable, never translated (`invalid`, `throttled`…).")
    message = serializers.CharField(help_text="In the request's language.")
    # The metaclass moves declared fields out of the class, so this does not shadow
    # ``Serializer.fields``; only the type checker sees a clash.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per-field messages; empty when the error is not about one field.",
    )


class ErrorOutputSerializer(serializers.Serializer):
    """The one error shape: ``{"error": {"code", "message", "fields"}}``."""

    error = ErrorDetailOutputSerializer()


def error_response(description: str) -> OpenApiResponse:
    """A documented error answer: ``{"error": {"code", "message", "fields"}}``."""
    return OpenApiResponse(ErrorOutputSerializer, description=description)
