import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import View
from django.views.defaults import bad_request, page_not_found, permission_denied, server_error

from apps.core.api.handlers import error_body
from apps.core.errors import ErrorCode

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure means "down"; the kind is logged
        logger.warning("healthz: database check failed", exc_info=True)
        return False


def _redis_ok() -> bool:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        logger.warning("healthz: redis check failed")
        return False


class HealthzView(View):
    """``GET /healthz``: 200 when PostgreSQL and Redis answer, 503 naming the failing part."""

    def get(self, request: HttpRequest) -> JsonResponse:
        parts = {"database": _database_ok(), "redis": _redis_ok()}
        healthy = all(parts.values())
        body = {"status": "ok" if healthy else "degraded"}
        body.update({name: "ok" if ok else "unavailable" for name, ok in parts.items()})
        response = JsonResponse(body, status=200 if healthy else 503)
        response["Cache-Control"] = "no-store"
        return response


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(("/api/", "/open311/", "/healthz"))


def refused(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: the one JSON error shape for the APIs, the admin frame (403.html) for pages."""
    if _wants_json(request):
        return JsonResponse(
            error_body(ErrorCode.PERMISSION_DENIED, ErrorCode.PERMISSION_DENIED.label), status=403
        )
    return permission_denied(request, exception or Exception())


def malformed(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400: the one JSON error shape for the APIs, the admin frame (400.html) for pages."""
    if _wants_json(request):
        return JsonResponse(error_body(ErrorCode.INVALID, ErrorCode.INVALID.label), status=400)
    return bad_request(request, exception or Exception())


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body(ErrorCode.NOT_FOUND, ErrorCode.NOT_FOUND.label), status=404)
    return page_not_found(request, exception or Exception())


def server_failure(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            error_body(ErrorCode.SERVER_ERROR, ErrorCode.SERVER_ERROR.label), status=500
        )
    return server_error(request)
