"""Text from form-encoded input must have been UTF-8 (docs/api.md, the error table).

Django decodes form, multipart and query-string values with ``errors="replace"``, so bytes
that are not UTF-8 (a lone surrogate's only byte form among them) arrive as U+FFFD. In such a
value U+FFFD means the client sent bytes that are not text: the value is refused rather than
stored altered. A JSON body is decoded strictly, and DRF's text fields refuse the lone
surrogates its escapes can spell, so U+FFFD there is a real character.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.request import Request

NOT_UTF8_TEXT = _("Not valid UTF-8 text.")


def replacement_character_errors(
    values: Mapping[str, Any], fields: Mapping[str, serializers.Field]
) -> dict[str, list[str]]:
    """The fields whose validated text holds U+FFFD, each with the message."""
    errors: dict[str, list[str]] = {}
    for name, field in fields.items():
        value = values.get(field.source_attrs[0] if field.source_attrs else name)
        if isinstance(value, str) and "\ufffd" in value:
            errors[name] = [str(NOT_UTF8_TEXT)]
    return errors


class FormTextInputSerializer(serializers.Serializer):
    """Base of the API's inputs: with ``context["form_encoded"]`` (a form or multipart body,
    or query parameters) a text value holding U+FFFD is a 400 naming the field."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        values: dict[str, Any] = super().to_internal_value(data)
        if self.context.get("form_encoded"):
            errors = replacement_character_errors(values, self.fields)
            if errors:
                raise serializers.ValidationError(errors)
        return values


def validated_input(
    request: Request, serializer_class: type[serializers.Serializer]
) -> dict[str, Any]:
    """The request's input, validated: query parameters for GET, else the body.

    Query strings and form or multipart bodies are ``form_encoded``; a JSON body is not.
    """
    data: Any
    if request.method == "GET":
        data, form_encoded = request.query_params, True
    else:
        data = request.data
        form_encoded = not (request.content_type or "").lower().startswith("application/json")
    serializer = serializer_class(data=data, context={"form_encoded": form_encoded})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
