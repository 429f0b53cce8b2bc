"""OpenAPI helpers shared by the report views: documented errors in the one error shape."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from apps.core.api.serializers import error_response

__all__ = ["RETRY_AFTER", "error_response"]


# Throttled answers (429) say when to try again.
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before trying again.",
)
