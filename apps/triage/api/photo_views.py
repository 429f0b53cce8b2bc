"""A report's photos over the API: one URL for its reporter and for the staff who may read the
ticket (``apps.triage.selectors.photos``). Lives in triage because it needs the staff scope.
"""

from collections.abc import Iterable

from django.http import FileResponse
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.core.api.schema import error_response
from apps.triage.selectors.photos import report_photo_get_for_user


class _AnyContent(BaseContentNegotiation):
    """Photo downloads answer with the file whatever ``Accept`` says (errors stay JSON)."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class _PhotoApi(APIView):
    content_negotiation_class = _AnyContent
    thumbnail = False

    def get(self, request: Request, public_id: str, n: int) -> HttpResponseBase:
        photo = report_photo_get_for_user(
            public_id=public_id,
            index=n,
            user=request.user,  # type: ignore[arg-type]
        )
        stored = photo.thumbnail if self.thumbnail else photo.image
        content_type = "image/jpeg" if self.thumbnail else photo.content_type
        extension = stored.name.rsplit(".", 1)[-1]
        suffix = "-thumbnail" if self.thumbnail else ""
        response = FileResponse(
            stored.open("rb"),
            content_type=content_type,
            filename=f"{public_id}-{n}{suffix}.{extension}",
        )
        response["Content-Disposition"] = response["Content-Disposition"].replace(
            "attachment", "inline"
        )
        response["Cache-Control"] = "private, no-store"
        return response


_PHOTO_RESPONSES = {
    (200, "image/jpeg"): OpenApiTypes.BINARY,
    (200, "image/png"): OpenApiTypes.BINARY,
    (200, "image/webp"): OpenApiTypes.BINARY,
    404: error_response("No such photo, or not visible to you."),
}


class ReportPhotoApi(_PhotoApi):
    """A report's photo ``n`` (1-based), for its reporter and the staff of its current unit."""

    @extend_schema(operation_id="reports_photo", responses=_PHOTO_RESPONSES)
    def get(self, request: Request, public_id: str, n: int) -> HttpResponseBase:
        return super().get(request, public_id, n)


class ReportPhotoThumbnailApi(_PhotoApi):
    """A JPEG thumbnail (320 px) of photo ``n``, for the same people as the photo."""

    thumbnail = True

    @extend_schema(
        operation_id="reports_photo_thumbnail",
        responses={(200, "image/jpeg"): OpenApiTypes.BINARY, 404: _PHOTO_RESPONSES[404]},
    )
    def get(self, request: Request, public_id: str, n: int) -> HttpResponseBase:
        return super().get(request, public_id, n)
