"""Public, unauthenticated report endpoints: the map feed, nearby duplicates, thumbnails.

Only public, unmerged reports appear; nothing identifies a reporter (docs/open311.md,
"Privacy"; docs/quality.md promise 4).
"""

from django.http import FileResponse, Http404, HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.reports.api.public_serializers import (
    NearbyReportInputSerializer,
    NearbyReportOutputSerializer,
    PublicReportFeatureOutputSerializer,
    PublicReportFeedInputSerializer,
    PublicReportFeedOutputSerializer,
)
from apps.reports.selectors_public import (
    report_list_nearby,
    report_list_public_in_bbox,
    report_photo_get_public_thumbnail,
)
from apps.routing.selectors import point_from_lat_lon

_PUBLIC_CACHE = "public, max-age=60"


class PublicReportFeedApi(APIView):
    """Public reports inside a bounding box, as a GeoJSON FeatureCollection (newest first)."""

    @extend_schema(
        operation_id="reports_public_feed",
        parameters=[PublicReportFeedInputSerializer],
        responses={
            200: PublicReportFeedOutputSerializer,
            400: OpenApiResponse(description="Missing, malformed or too large bbox."),
        },
    )
    def get(self, request: Request) -> Response:
        params = PublicReportFeedInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        limit = data["limit"]
        rows = list(
            report_list_public_in_bbox(bbox=data["bbox"], category_code=data.get("category"))[
                : limit + 1
            ]
        )
        features = PublicReportFeatureOutputSerializer(
            rows[:limit], many=True, context={"request": request}
        ).data
        body = {"type": "FeatureCollection", "features": features, "truncated": len(rows) > limit}
        return Response(body, headers={"Cache-Control": _PUBLIC_CACHE})


class NearbyReportListApi(APIView):
    """Open public reports of a category within 250 m from the last 30 days, nearest first:
    the app shows them before a new report so the citizen can support one instead."""

    @extend_schema(
        operation_id="reports_nearby",
        parameters=[NearbyReportInputSerializer],
        responses={
            200: NearbyReportOutputSerializer(many=True),
            400: OpenApiResponse(description="Missing or invalid coordinates or category."),
        },
    )
    def get(self, request: Request) -> Response:
        params = NearbyReportInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        reports = report_list_nearby(
            point=point_from_lat_lon(lat=data["lat"], lon=data["lon"]),
            category_code=data["category"],
        )
        return Response(NearbyReportOutputSerializer(reports, many=True).data)


class PublicReportThumbnailApi(APIView):
    """The re-encoded thumbnail (JPEG, no metadata) of the first photo of a public report."""

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        # The body is a JPEG (FileResponse, not rendered); errors are always JSON.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(
        operation_id="reports_public_thumbnail",
        parameters=[
            OpenApiParameter("public_id", OpenApiTypes.STR, OpenApiParameter.PATH),
        ],
        responses={
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="No such public report, or it has no photo."),
        },
    )
    def get(self, request: Request, public_id: str) -> HttpResponseBase:
        photo = report_photo_get_public_thumbnail(public_id=public_id)
        if photo is None or not photo.thumbnail:
            raise Http404
        try:
            handle = photo.thumbnail.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type="image/jpeg")
        response["Cache-Control"] = _PUBLIC_CACHE
        return response
