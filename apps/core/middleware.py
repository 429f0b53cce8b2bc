from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from apps.core.api.handlers import error_body
from apps.core.errors import ErrorCode


class BodySizeLimitMiddleware:
    """Refuse bodies over ``REQUEST_MAX_BODY_BYTES`` with 413 before anything reads them.

    A reverse proxy in front should enforce the same limit; this keeps the promise when the
    application is reached directly (docs/quality.md row 26).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BODY_BYTES:
            return JsonResponse(
                error_body(ErrorCode.REQUEST_TOO_LARGE, ErrorCode.REQUEST_TOO_LARGE.label),
                status=413,
            )
        return self.get_response(request)
