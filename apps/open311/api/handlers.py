"""Errors in the GeoReport v2 shape: ``[{"code": 400, "description": "..."}]``.

Open311 views override ``get_exception_handler()`` with this function, so the project's
``{"error": {...}}`` shape never appears under ``/open311/``. The HTTP status and ``code``
are equal. Refusals from our services (``ApplicationError``) become 400 unless they are a
403 or 404: GeoReport v2 clients know 400, 403 and 404.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import set_rollback

from apps.core.api.handlers import _flatten_fields
from apps.core.errors import ApplicationError
from apps.open311.api.renderers import Open311JsonRenderer, Open311XmlRenderer

logger = logging.getLogger(__name__)

REQUEST_TOO_LARGE = "The request body is too large."


class Open311Error(Exception):
    """A refusal with the status and description the client sees."""

    def __init__(self, status: int, description: str) -> None:
        self.status = status
        self.description = description
        super().__init__(description)


def _describe_fields(fields: dict[str, list[str]]) -> str:
    return " ".join(f"{name}: {' '.join(messages)}" for name, messages in fields.items())


def error_response(status: int, description: str) -> Response:
    headers = {"Retry-After": "5"} if status == 503 else None
    return Response([{"code": status, "description": description}], status=status, headers=headers)


def rendered_error(status: int, description: str, *, format: str | None) -> Response:
    """``error_response`` already rendered, in XML for ``format == "xml"`` and JSON otherwise,
    for answers given before any view runs (the body size limit in ``apps.core.middleware``)."""
    response = error_response(status, description)
    renderer = Open311XmlRenderer() if format == "xml" else Open311JsonRenderer()
    response.accepted_renderer = renderer
    response.accepted_media_type = renderer.media_type
    # What APIView.finalize_response sets: the XML renderer reads the status from it.
    response.renderer_context = {"response": response}  # type: ignore[attr-defined]
    response.render()
    return response


def _classify(exc: Exception) -> tuple[int, str] | None:
    if isinstance(exc, Open311Error):
        return exc.status, exc.description
    if isinstance(exc, ApplicationError):
        status = exc.status if exc.status in (403, 404) else 400
        description = exc.message
        if exc.fields:
            description = f"{description} {_describe_fields(exc.fields)}"
        return status, f"{exc.code}: {description}"
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, exceptions.ValidationError):
        return 400, _describe_fields(_flatten_fields(exc.detail))
    if isinstance(exc, (TooManyFilesSent, TooManyFieldsSent)):
        return 400, "Too many fields or files in the request."
    if isinstance(exc, RequestDataTooBig):
        return 413, REQUEST_TOO_LARGE
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.error("database unavailable: %s", type(exc).__name__)
        return 503, "The service is temporarily unavailable."
    if isinstance(exc, (Http404, exceptions.NotFound)):
        return 404, "Not found."
    if isinstance(exc, (DjangoPermissionDenied, exceptions.PermissionDenied)):
        return 403, "Permission denied."
    if isinstance(exc, exceptions.APIException):
        detail = exc.detail if isinstance(exc.detail, str) else exc.default_detail
        return exc.status_code, str(detail)
    return None


def open311_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    classified = _classify(exc)
    if classified is None:
        return None  # a bug: Django logs it and answers 500
    set_rollback()
    return error_response(*classified)
