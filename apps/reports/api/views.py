"""The citizen report API (docs/api.md): one APIView per operation, each a thin adapter.

Who is who: a knox token names a user; ``reporter_for_user`` gives the citizen behind it.
Object endpoints answer 404 for anything the caller may not see, exactly as for a missing id.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.parsers import BoundedJSONParser
from apps.core.api.schema import RETRY_AFTER, error_response
from apps.core.api.text_input import validated_input
from apps.core.pagination import Pagination
from apps.reports import selectors, services
from apps.reports.api.anonymous_limits import (
    DEVICE_HEADER,
    anonymous_filing_check,
    device_id_from,
)
from apps.reports.api.common import (
    ERRORS,
    NOT_FOUND,
    detail_body,
    reporter_of,
    required_reporter,
)
from apps.reports.api.serializers import (
    CategoryOutputSerializer,
    MyReportListInputSerializer,
    ReportCreateInputSerializer,
    ReportCreateMultipartInputSerializer,
    ReportCreateOutputSerializer,
    ReportDetailOutputSerializer,
    ReportPageOutputSerializer,
    ReportPublicOutputSerializer,
    ReportTimelineEventOutputSerializer,
)
from apps.reports.errors import NotAReporter
from apps.routing.selectors import category_get_active, category_list_active, point_from_lat_lon


class CategoryListApi(APIView):
    """The active categories, named in the request's language (``Accept-Language``)."""

    @extend_schema(
        operation_id="categories_list",
        responses={200: CategoryOutputSerializer(many=True)},
        parameters=[
            OpenApiParameter(
                "Accept-Language",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="`id` (default) or `en`.",
            )
        ],
    )
    def get(self, request: Request) -> Response:
        return Response(CategoryOutputSerializer(category_list_active(), many=True).data)


class ReportCreateApi(APIView):
    """File a report, as JSON or multipart with up to 5 ``photos``.

    With a token the report belongs to the signed-in citizen (unless ``anonymous``);
    without one it is anonymous and the 201 carries a ``tracking_code``, shown once.
    Replaying the same ``client_request_id`` with the same input answers 200 with the same
    report (without the tracking code); with different input, 409 ``idempotency_conflict``.
    """

    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="reports_create",
        request={
            "application/json": ReportCreateInputSerializer,
            "multipart/form-data": ReportCreateMultipartInputSerializer,
        },
        responses={
            201: ReportCreateOutputSerializer,
            200: OpenApiResponse(
                ReportCreateOutputSerializer,
                description="Replay of an earlier request (no tracking_code).",
            ),
            400: error_response("invalid, unknown_category, invalid_image"),
            403: error_response("not_a_reporter (a staff token; use anonymous)"),
            409: error_response("idempotency_conflict"),
            413: error_response("request_too_large, image_too_large"),
            422: error_response("outside_service_area"),
            429: error_response(
                "throttled: too many anonymous reports from this address or device"
            ),
        },
        parameters=[
            OpenApiParameter(
                DEVICE_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="A random id the app makes once per install (8-128 of "
                "`A-Za-z0-9._:-`). For anonymous reports: the per-device limit, and only "
                "this device gets the 200 replay of its report.",
            ),
            RETRY_AFTER,
        ],
        examples=[
            OpenApiExample(
                "Flooding at Monas",
                request_only=True,
                media_type="application/json",
                value={
                    "client_request_id": "7d4f3c2e-9a51-4e0b-8a55-2f1c0e6b9d11",
                    "category": "banjir",
                    "description": "Genangan setinggi lutut di depan halte.",
                    "lat": -6.1754,
                    "lon": 106.8272,
                    "accuracy_m": 8,
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        # One validation for both bodies (a JSON body cannot carry files: "photos" in it is a
        # 400, as before).
        data = validated_input(request, ReportCreateMultipartInputSerializer)
        device_id = device_id_from(request)
        reporter = None
        if request.user.is_authenticated:
            reporter = reporter_of(request)
            if reporter is None and not data["anonymous"]:
                raise NotAReporter()
        if reporter is None or data["anonymous"]:
            anonymous_filing_check(request, device_id=device_id)
        result = services.report_create(
            reporter=reporter,
            category=category_get_active(code=data["category"]),
            location=point_from_lat_lon(lat=data["lat"], lon=data["lon"]),
            description=data["description"],
            client_request_id=data["client_request_id"],
            occurred_at=data.get("occurred_at"),
            accuracy_m=data.get("accuracy_m"),
            address_hint=data["address_hint"],
            is_public=data["is_public"],
            anonymous=data["anonymous"],
            photos=data["photos"],
            device_id=device_id,
        )
        report = result.report  # as just stored, with its relations and photos loaded
        if not result.created:
            report = selectors.report_get_for_reporter(
                public_id=report.public_id, reporter=report.reporter
            )
        body = ReportCreateOutputSerializer(
            report, context={"request": request, "tracking_code": result.tracking_code}
        ).data
        return Response(body, status=status.HTTP_201_CREATED if result.created else 200)


class ReportDetailApi(APIView):
    """A report: your own in full, or anyone's public report without personal details."""

    @extend_schema(
        operation_id="reports_retrieve",
        responses={
            200: PolymorphicProxySerializer(
                component_name="ReportVisible",
                serializers=[ReportDetailOutputSerializer, ReportPublicOutputSerializer],
                resource_type_field_name=None,
            ),
            **NOT_FOUND,
        },
    )
    def get(self, request: Request, public_id: str) -> Response:
        report, own = selectors.report_get_visible(
            public_id=public_id, reporter=reporter_of(request)
        )
        if own:
            return Response(detail_body(report, request))
        return Response(ReportPublicOutputSerializer(report).data)


class ReportTimelineApi(APIView):
    """The public timeline: status changes and public responses, oldest first."""

    @extend_schema(
        operation_id="reports_timeline",
        responses={200: ReportTimelineEventOutputSerializer(many=True), **NOT_FOUND},
    )
    def get(self, request: Request, public_id: str) -> Response:
        report, _own = selectors.report_get_visible(
            public_id=public_id, reporter=reporter_of(request)
        )
        events = selectors.report_timeline(report=report)
        return Response(ReportTimelineEventOutputSerializer(events, many=True).data)


class MyReportListApi(APIView):
    """The signed-in citizen's reports, newest first (paginated; filter by ``status``)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_reports_list",
        parameters=[MyReportListInputSerializer],
        responses={
            200: ReportPageOutputSerializer,
            400: error_response("`invalid`: `status` is not a report status."),
            401: ERRORS[401],
            403: error_response("`not_a_reporter`: the token is a staff account's."),
        },
    )
    def get(self, request: Request) -> Response:
        params = validated_input(request, MyReportListInputSerializer)
        reports = selectors.report_list_for_reporter(
            reporter=required_reporter(request), status=params.get("status")
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(reports, request, view=self)
        data = ReportDetailOutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)
