"""OpenAPI helpers shared by the report views: documented errors in the one error shape."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from apps.reports.api.serializers import ErrorOutputSerializer


def error_response(description: str) -> OpenApiResponse:
    """A documented error answer: ``{"error": {"code", "message", "fields"}}``."""
    return OpenApiResponse(ErrorOutputSerializer, description=description)


# Throttled answers (429) say when to try again.
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before trying again.",
)
