"""The citizen report API, after filing (docs/api.md): the reporter confirms, reopens,
supports, writes to the unit, tracks an anonymous report and claims it. Thin adapters."""

from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.schema import error_response
from apps.core.api.text_input import validated_input
from apps.core.pagination import Pagination
from apps.reports import selectors, services
from apps.reports.api.common import (
    ERRORS,
    NOT_FOUND,
    detail_body,
    reload_for_owner,
    reporter_action,
    reporter_of,
    required_reporter,
)
from apps.reports.api.serializers import (
    ReportConfirmInputSerializer,
    ReportDetailOutputSerializer,
    ReportMessageInputSerializer,
    ReportMessageOutputSerializer,
    ReportMessagePageOutputSerializer,
    ReportReopenInputSerializer,
    ReportSupportOutputSerializer,
    ReportTimelineEventOutputSerializer,
    ReportTrackedOutputSerializer,
    ReportTrackOutputSerializer,
)
from apps.reports.models import ReportMessage


class ReportConfirmApi(APIView):
    """The reporter accepts the follow-up (``selesai`` → ``dikonfirmasi``) with a rating."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="reports_confirm",
        request=ReportConfirmInputSerializer,
        responses={
            200: ReportDetailOutputSerializer,
            **ERRORS,
            409: error_response("invalid_transition"),
        },
    )
    def post(self, request: Request, public_id: str) -> Response:
        return reporter_action(
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
            **ERRORS,
            409: error_response("invalid_transition, reopen_window_closed"),
        },
    )
    def post(self, request: Request, public_id: str) -> Response:
        return reporter_action(
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
            401: ERRORS[401],
            403: error_response("not_a_reporter"),
            404: ERRORS[404],
            409: error_response("own_report"),
        },
    )
    def post(self, request: Request, public_id: str) -> Response:
        reporter = required_reporter(request)
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
        responses={200: ReportMessagePageOutputSerializer, **ERRORS},
    )
    def get(self, request: Request, public_id: str) -> Response:
        report = selectors.report_get_for_reporter(
            public_id=public_id, reporter=reporter_of(request)
        )
        messages = selectors.report_message_list(report=report)
        paginator = Pagination()
        page = paginator.paginate_queryset(messages, request, view=self)
        data = ReportMessageOutputSerializer(page, many=True).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="reports_messages_create",
        request=ReportMessageInputSerializer,
        responses={201: ReportMessageOutputSerializer, **ERRORS},
    )
    def post(self, request: Request, public_id: str) -> Response:
        reporter = reporter_of(request)
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
        responses={200: ReportTrackOutputSerializer, **NOT_FOUND},
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
            **ERRORS,
            403: error_response("not_a_reporter"),
            409: error_response("already_claimed"),
        },
    )
    def post(self, request: Request, code: str) -> Response:
        reporter = required_reporter(request)
        report = services.report_claim(
            report=selectors.report_get_by_tracking_code(code=code), reporter=reporter
        )
        return Response(detail_body(reload_for_owner(report, reporter), request))
