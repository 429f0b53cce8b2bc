from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve

from apps.core.api.handlers import error_body
from apps.core.errors import ErrorCode


class BodySizeLimitMiddleware:
    """Refuse bodies over ``REQUEST_MAX_BODY_BYTES`` with 413 before anything reads them.

    A reverse proxy in front should enforce the same limit; this keeps the promise when the
    application is reached directly (docs/quality.md row 26).

    The answer is the project's JSON error shape, unless the view the path resolves to has its
    own: a view class may define ``request_too_large(request, **url_kwargs)`` returning the
    413 response (the Open311 views answer in the GeoReport v2 shape, docs/open311.md). The
    view itself does not run, and the body is never read.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BODY_BYTES:
            return self.too_large(request)
        return self.get_response(request)

    def too_large(self, request: HttpRequest) -> HttpResponse:
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            match = None
        if match is not None:
            view_class = getattr(match.func, "view_class", None)
            own_answer = getattr(view_class, "request_too_large", None)
            if own_answer is not None:
                response: HttpResponse = own_answer(request, **match.kwargs)
                return response
        return JsonResponse(
            error_body(ErrorCode.REQUEST_TOO_LARGE, ErrorCode.REQUEST_TOO_LARGE.label),
            status=413,
        )
