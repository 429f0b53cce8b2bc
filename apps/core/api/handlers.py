"""The one JSON error shape for every API error (docs/conventions.md C12)."""

import logging
import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from apps.core.errors import ApplicationError, ErrorCode

logger = logging.getLogger(__name__)

_DRF_CODES: dict[type[exceptions.APIException], ErrorCode] = {
    exceptions.ParseError: ErrorCode.PARSE_ERROR,
    exceptions.NotFound: ErrorCode.NOT_FOUND,
    exceptions.NotAuthenticated: ErrorCode.NOT_AUTHENTICATED,
    exceptions.AuthenticationFailed: ErrorCode.AUTHENTICATION_FAILED,
    exceptions.PermissionDenied: ErrorCode.PERMISSION_DENIED,
    exceptions.MethodNotAllowed: ErrorCode.METHOD_NOT_ALLOWED,
    exceptions.NotAcceptable: ErrorCode.NOT_ACCEPTABLE,
    exceptions.UnsupportedMediaType: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    exceptions.Throttled: ErrorCode.THROTTLED,
}


# A 429 whose cause does not say when the limit lifts: clients wait this long.
DEFAULT_RETRY_AFTER_SECONDS = 60


def retry_after_header(wait: object) -> str:
    """``Retry-After`` for a 429: ``wait`` seconds rounded up, at least 1; the default when
    ``wait`` is unknown. Application errors that know their limit window carry it as
    ``retry_after`` (``apps.identity.errors.RetryLater``), DRF's ``Throttled`` as ``wait``."""
    if isinstance(wait, int | float) and not isinstance(wait, bool) and math.isfinite(wait):
        return str(max(1, math.ceil(wait)))
    return str(DEFAULT_RETRY_AFTER_SECONDS)


def error_body(code: str, message: object, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": str(code), "message": str(message), "fields": fields or {}}}


def _flatten_fields(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into ``{"field": ["message", ...]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten_fields(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            out[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                out.update(_flatten_fields(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        set_rollback()
        body = error_body(exc.code, exc.message, exc.fields)
        body["error"].update(exc.extra)
        headers = None
        if exc.status == status.HTTP_429_TOO_MANY_REQUESTS:
            headers = {"Retry-After": retry_after_header(getattr(exc, "retry_after", None))}
        return Response(body, status=exc.status, headers=headers)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, (TooManyFilesSent, TooManyFieldsSent)):
        exc = exceptions.ValidationError({"non_field_errors": [str(exc) or "Too many parts."]})
    if isinstance(exc, RequestDataTooBig):
        set_rollback()
        return Response(
            error_body(ErrorCode.REQUEST_TOO_LARGE, ErrorCode.REQUEST_TOO_LARGE.label),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database is down or unreachable: the request did not commit anything.
        logger.error("database unavailable: %s", type(exc).__name__)
        set_rollback()
        return Response(
            error_body(ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.SERVICE_UNAVAILABLE.label),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )

    response = drf_exception_handler(exc, context)  # handles Http404/PermissionDenied too
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            ErrorCode.INVALID, ErrorCode.INVALID.label, _flatten_fields(exc.detail)
        )
        return response
    if isinstance(exc, Http404):
        code: str = ErrorCode.NOT_FOUND
        message = str(ErrorCode.NOT_FOUND.label)
    elif isinstance(exc, DjangoPermissionDenied):
        code, message = ErrorCode.PERMISSION_DENIED, str(ErrorCode.PERMISSION_DENIED.label)
    else:
        code = next(
            (c for klass, c in _DRF_CODES.items() if isinstance(exc, klass)),
            getattr(exc, "default_code", ErrorCode.INVALID),
        )
        detail = getattr(exc, "detail", "")
        message = str(detail) if not isinstance(detail, dict | list) else str(code)
    response.data = error_body(code, message)
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        response["Retry-After"] = retry_after_header(getattr(exc, "wait", None))
    return response
