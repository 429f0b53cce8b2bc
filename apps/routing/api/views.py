from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.routing.api.serializers import (
    RoutingLookupInputSerializer,
    RoutingLookupOutputSerializer,
)
from apps.routing.selectors import category_get_active, point_from_lat_lon, route


class RoutingLookupApi(APIView):
    """Which kelurahan and which unit would handle a report of a category at a point."""

    @extend_schema(
        operation_id="routing_lookup",
        parameters=[RoutingLookupInputSerializer],
        responses={
            200: RoutingLookupOutputSerializer,
            400: OpenApiResponse(description="Missing or invalid coordinates or category."),
            422: OpenApiResponse(description="outside_service_area"),
        },
    )
    def get(self, request: Request) -> Response:
        params = RoutingLookupInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        category = category_get_active(code=data["category"])
        routing = route(
            point=point_from_lat_lon(lat=data["lat"], lon=data["lon"]), category=category
        )
        return Response(RoutingLookupOutputSerializer(routing).data)
