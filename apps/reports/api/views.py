"""The citizen report API (docs/api.md): one APIView per operation, each a thin adapter.

Who is who: a knox token names a user; ``reporter_for_user`` gives the citizen behind it.
Object endpoints answer 404 for anything the caller may not see, exactly as for a missing id.
"""

from collections.abc import Callable
from typing import Any

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
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from apps.core.api.parsers import BoundedJSONParser
from apps.core.api.schema import RETRY_AFTER, error_response
from apps.core.api.text_input import validated_input
from apps.core.pagination import Pagination
from apps.identity.models import Reporter
from apps.identity.selectors import reporter_for_user
from apps.reports import selectors, services
from apps.reports.api.anonymous_limits import (
    DEVICE_HEADER,
    anonymous_filing_check,
    device_id_from,
)
from apps.reports.api.serializers import (
    CategoryOutputSerializer,
    MyReportListInputSerializer,
    ReportConfirmInputSerializer,
    ReportCreateInputSerializer,
    ReportCreateMultipartInputSerializer,
    ReportCreateOutputSerializer,
    ReportDetailOutputSerializer,
    ReportMessageInputSerializer,
    ReportMessageOutputSerializer,
    ReportMessagePageOutputSerializer,
    ReportPageOutputSerializer,
    ReportPublicOutputSerializer,
    ReportReopenInputSerializer,
    ReportSupportOutputSerializer,
    ReportTimelineEventOutputSerializer,
    ReportTrackedOutputSerializer,
    ReportTrackOutputSerializer,
)
from apps.reports.errors import NotAReporter
from apps.reports.models import Report, ReportMessage
from apps.routing.selectors import category_get_active, category_list_active, point_from_lat_lon

_ERRORS = {
    400: error_response("Invalid input (code `invalid`; `fields` names each field)."),
    401: error_response("Missing or invalid token."),
    404: error_response("No such report, or not yours."),
}
_NOT_FOUND = {404: error_response("No such report, or not visible to you.")}


def _reporter(request: Request) -> Reporter | None:
    return reporter_for_user(user=request.user)  # type: ignore[arg-type]


def _required_reporter(request: Request) -> Reporter:
    reporter = _reporter(request)
    if reporter is None:
        raise NotAReporter()
    return reporter


def _detail(report: Report, request: Request) -> dict[str, Any]:
    return dict(ReportDetailOutputSerializer(report, context={"request": request}).data)


def _reload_for_owner(report: Report, reporter: Reporter) -> Report:
    return selectors.report_get_for_reporter(public_id=report.public_id, reporter=reporter)


def _reporter_action(
    request: Request,
    public_id: str,
    input_serializer: type[Serializer],
    act: Callable[[Report, Reporter, dict[str, Any]], Report],
) -> Response:
    """The reporter's own action on their report: find it (404 if not theirs), validate the
    body, call the service, answer the report as it is now."""
    reporter = _reporter(request)
    report = selectors.report_get_for_reporter(public_id=public_id, reporter=reporter)
    params = validated_input(request, input_serializer)
    assert reporter is not None  # noqa: S101 - the selector refuses None
    report = act(report, reporter, params)
    return Response(_detail(_reload_for_owner(report, reporter), request))


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
            reporter = _reporter(request)
            if reporter is None and not data["anonymous"]:
                raise NotAReporter()
        if reporter is None or data["anonymous"]:
            anonymous_filing_check(request, self, device_id=device_id)
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
            **_NOT_FOUND,
        },
    )
    def get(self, request: Request, public_id: str) -> Response:
        report, own = selectors.report_get_visible(public_id=public_id, reporter=_reporter(request))
        if own:
            return Response(_detail(report, request))
        return Response(ReportPublicOutputSerializer(report).data)


class ReportTimelineApi(APIView):
    """The public timeline: status changes and public responses, oldest first."""

    @extend_schema(
        operation_id="reports_timeline",
        responses={200: ReportTimelineEventOutputSerializer(many=True), **_NOT_FOUND},
    )
    def get(self, request: Request, public_id: str) -> Response:
        report, _own = selectors.report_get_visible(
            public_id=public_id, reporter=_reporter(request)
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
            401: _ERRORS[401],
            403: error_response("`not_a_reporter`: the token is a staff account's."),
        },
    )
    def get(self, request: Request) -> Response:
        params = validated_input(request, MyReportListInputSerializer)
        reports = selectors.report_list_for_reporter(
            reporter=_required_reporter(request), status=params.get("status")
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(reports, request, view=self)
        data = ReportDetailOutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class ReportConfirmApi(APIView):
    """The reporter accepts the follow-up (``selesai`` → ``dikonfirmasi``) with a rating."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="reports_confirm",
        request=ReportConfirmInputSerializer,
        responses={
            200: ReportDetailOutputSerializer,
            **_ERRORS,
            409: error_response("invalid_transition"),
        },
    )
    def post(self, request: Request, public_id: str) -> Response:
        return _reporter_action(
            request,
            public_id,
            ReportConfirmInputSerializer,
            lambda report, reporter, data: services.report_confirm(
                report=report, reporter=reporter, rating=data["rating"], comment=data["comment"]
            ),
        )


class ReportReopenApi(APIView):
    """The reporter reopens a completed report within 14 days (``selesai`` → ``dibuka_kembali``)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="reports_reopen",
        request=ReportReopenInputSerializer,
        responses={
            200: ReportDetailOutputSerializer,
            **_ERRORS,
            409: error_response("invalid_transition, reopen_window_closed"),
        },
    )
    def post(self, request: Request, public_id: str) -> Response:
        return _reporter_action(
            request,
            public_id,
            ReportReopenInputSerializer,
            lambda report, reporter, data: services.report_reopen(
                report=report, reporter=reporter, reason=data["reason"]
            ),
        )


class ReportSupportApi(APIView):
    """+1 on a public report, once per reporter (201 the first time, 200 after)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="reports_support",
        request=None,
        responses={
            201: ReportSupportOutputSerializer,
            200: ReportSupportOutputSerializer,
            401: _ERRORS[401],
            403: error_response("not_a_reporter"),
            404: _ERRORS[404],
            409: error_response("own_report"),
        },
    )
    def post(self, request: Request, public_id: str) -> Response:
        reporter = _required_reporter(request)
        report, _own = selectors.report_get_visible(public_id=public_id, reporter=reporter)
        report, created = services.report_support(report=report, reporter=reporter)
        body = {"id": report.public_id, "support_count": report.support_count, "supported": True}
        return Response(
            ReportSupportOutputSerializer(body).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ReportMessageListApi(APIView):
    """The message thread between the reporter and the unit (reporter only)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="reports_messages_list",
        responses={200: ReportMessagePageOutputSerializer, **_ERRORS},
    )
    def get(self, request: Request, public_id: str) -> Response:
        report = selectors.report_get_for_reporter(public_id=public_id, reporter=_reporter(request))
        messages = selectors.report_message_list(report=report)
        paginator = Pagination()
        page = paginator.paginate_queryset(messages, request, view=self)
        data = ReportMessageOutputSerializer(page, many=True).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="reports_messages_create",
        request=ReportMessageInputSerializer,
        responses={201: ReportMessageOutputSerializer, **_ERRORS},
    )
    def post(self, request: Request, public_id: str) -> Response:
        reporter = _reporter(request)
        report = selectors.report_get_for_reporter(public_id=public_id, reporter=reporter)
        params = validated_input(request, ReportMessageInputSerializer)
        message = services.report_message_send(
            report=report,
            author=reporter.user if reporter else None,
            body=params["body"],
            direction=ReportMessage.Direction.FROM_REPORTER,
        )
        return Response(ReportMessageOutputSerializer(message).data, status=201)


class ReportTrackApi(APIView):
    """Follow an anonymously filed report with its tracking code: the report and timeline."""

    @extend_schema(
        operation_id="track_retrieve",
        responses={200: ReportTrackOutputSerializer, **_NOT_FOUND},
    )
    def get(self, request: Request, code: str) -> Response:
        report = selectors.report_get_by_tracking_code(code=code)
        events = selectors.report_timeline(report=report)
        body = {
            "report": ReportTrackedOutputSerializer(report).data,
            "timeline": ReportTimelineEventOutputSerializer(events, many=True).data,
        }
        return Response(body)


class ReportClaimApi(APIView):
    """Move an anonymously filed report into the signed-in citizen's account."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="track_claim",
        request=None,
        responses={
            200: ReportDetailOutputSerializer,
            **_ERRORS,
            403: error_response("not_a_reporter"),
            409: error_response("already_claimed"),
        },
    )
    def post(self, request: Request, code: str) -> Response:
        reporter = _required_reporter(request)
        report = services.report_claim(
            report=selectors.report_get_by_tracking_code(code=code), reporter=reporter
        )
        return Response(_detail(_reload_for_owner(report, reporter), request))
