"""One error hierarchy for the whole project (docs/conventions.md C12).

Services raise ``ApplicationError`` subclasses; ``apps.core.api.handlers.exception_handler``
renders them (and DRF/Django errors) as
``{"error": {"code": ..., "message": ..., "fields": {...}}}``.
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class ErrorCode(models.TextChoices):
    INVALID = "invalid", _("Invalid input.")
    PARSE_ERROR = "parse_error", _("Malformed request body.")
    NOT_FOUND = "not_found", _("Not found.")
    NOT_AUTHENTICATED = "not_authenticated", _("Authentication credentials were not provided.")
    AUTHENTICATION_FAILED = "authentication_failed", _("Invalid or expired credentials.")
    PERMISSION_DENIED = "permission_denied", _("You do not have permission to do this.")
    METHOD_NOT_ALLOWED = "method_not_allowed", _("Method not allowed.")
    NOT_ACCEPTABLE = "not_acceptable", _("Cannot satisfy the request Accept header.")
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", _("Unsupported media type.")
    REQUEST_TOO_LARGE = "request_too_large", _("The request body is too large.")
    THROTTLED = "throttled", _("Too many requests.")
    CONFLICT = "conflict", _("The request conflicts with the current state.")
    SERVICE_UNAVAILABLE = "service_unavailable", _("The service is temporarily unavailable.")
    SERVER_ERROR = "server_error", _("Internal server error.")
    OUTSIDE_SERVICE_AREA = "outside_service_area", _("The location is outside the service area.")


class ApplicationError(Exception):
    """A refusal the client can act on. Subclasses set ``code`` and ``status``."""

    code: str = ErrorCode.INVALID
    status: int = 400
    default_message: Any = ErrorCode.INVALID.label

    def __init__(
        self, message: Any = None, *, fields: dict[str, list[str]] | None = None, **extra: Any
    ) -> None:
        self.message = str(message if message is not None else self.default_message)
        self.fields = fields or {}
        self.extra = extra
        super().__init__(self.message)


class NotFound(ApplicationError):
    code = ErrorCode.NOT_FOUND
    status = 404
    default_message = ErrorCode.NOT_FOUND.label


class Conflict(ApplicationError):
    code = ErrorCode.CONFLICT
    status = 409
    default_message = ErrorCode.CONFLICT.label


class Forbidden(ApplicationError):
    code = ErrorCode.PERMISSION_DENIED
    status = 403
    default_message = ErrorCode.PERMISSION_DENIED.label


class OutsideServiceArea(ApplicationError):
    code = ErrorCode.OUTSIDE_SERVICE_AREA
    status = 422
    default_message = ErrorCode.OUTSIDE_SERVICE_AREA.label
