"""Refusals of the reports app, rendered in the one error shape (apps.core.api.handlers)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.core.errors import ApplicationError


class IdempotencyConflict(ApplicationError):
    """The ``client_request_id`` was already used for a different request."""

    code = "idempotency_conflict"
    status = 409
    default_message = _(
        "This client_request_id was already used for a different report. "
        "Generate a new id for a new report."
    )


class InvalidTransition(ApplicationError):
    code = "invalid_transition"
    status = 409
    default_message = _("This change is not allowed in the report's current status.")

    def __init__(self, *, current: str, requested: str, message: Any = None) -> None:
        super().__init__(
            message
            or _("Cannot move a report from %(current)s to %(requested)s.")
            % {"current": current, "requested": requested},
            current=current,
            requested=requested,
        )


class ReopenWindowClosed(ApplicationError):
    code = "reopen_window_closed"
    status = 409
    default_message = _("The report was completed too long ago to be reopened.")


class AlreadyClaimed(ApplicationError):
    code = "already_claimed"
    status = 409
    default_message = _("This report already belongs to another account.")


class OwnReportSupport(ApplicationError):
    code = "own_report"
    status = 409
    default_message = _("You cannot support your own report.")


class NotAReporter(ApplicationError):
    code = "not_a_reporter"
    status = 403
    default_message = _(
        "This account has no reporter profile. Sign in as a citizen or report anonymously."
    )


class InvalidImage(ApplicationError):
    """A photo was refused. ``reason`` says why (a stable code for the app)."""

    code = "invalid_image"
    status = 400
    default_message = _("The photo could not be accepted.")

    def __init__(self, message: Any, *, reason: str, index: int) -> None:
        super().__init__(
            message,
            fields={"photos": [str(message)]},
            reason=reason,
            photo=index,
        )


class ImageTooLarge(InvalidImage):
    code = "image_too_large"
    status = 413
