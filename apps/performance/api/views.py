"""The performance API: scores, breaches, appeals, the manager report, exports and charts."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import User
from apps.accounts.selectors import user_is_manager
from apps.core.errors import Forbidden
from apps.performance import charts, exports, selectors, services
from apps.performance.api.serializers import (
    AppealCreateInputSerializer,
    AppealDecideInputSerializer,
    AppealOutputSerializer,
    PerformanceBreachOutputSerializer,
    PerformanceChartInputSerializer,
    PerformanceMonthInputSerializer,
    PerformanceMonthOutputSerializer,
    PerformanceReportExportInputSerializer,
    PerformanceReportInputSerializer,
    PerformanceReportRowOutputSerializer,
    PerformanceReportTicketsInputSerializer,
    PerformanceReportTicketsOutputSerializer,
    PerformanceScoreListInputSerializer,
    PerformanceScoreOutputSerializer,
)
from apps.performance.formula import score_explained
from apps.triage.selectors.scope import StaffScope

ERRORS = {
    400: OpenApiResponse(description="invalid (the one error shape, with fields)"),
    403: OpenApiResponse(description="permission_denied (not staff / not a manager)"),
    404: OpenApiResponse(description="not_found"),
    409: OpenApiResponse(description="conflict"),
}


def _responses(ok: dict[Any, Any], *codes: int) -> dict[Any, Any]:
    """The success response plus the listed error responses (403 always)."""
    return {**ok, **{code: ERRORS[code] for code in sorted({*codes, 403})}}


def _staff(request: Request) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_staff or not user.is_active:
        raise Forbidden()
    return user


def _manager(request: Request) -> User:
    user = _staff(request)
    if not user_is_manager(user=user):
        raise Forbidden()
    return user


def _input(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    params = serializer_class(data=data)
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


@dataclass(frozen=True)
class ReportRequest:
    """A report read: who asks (their ticket scope), the validated parameters and 'now'."""

    user: User
    scope: StaffScope
    params: dict[str, Any]
    now: datetime

    def reading(self) -> dict[str, Any]:
        """Keyword arguments every report selector takes."""
        return {
            "user": self.user,
            "scope": self.scope,
            "start": self.params["start_at"],
            "end": self.params["end_at"],
            "now": self.now,
        }

    def rows(self) -> list[dict[str, Any]]:
        return selectors.performance_report(grouping=self.params["group"], **self.reading())


def _report_request(
    request: Request, serializer_class: type[serializers.Serializer]
) -> ReportRequest:
    """Any active staff member; the tickets are those of their scope (managers: all)."""
    user = _staff(request)
    params = _input(serializer_class, request.query_params)
    scope = selectors.report_scope_for_user(user=user)
    return ReportRequest(user=user, scope=scope, params=params, now=timezone.now())


class PerformanceScoreListApi(APIView):
    """Scores of a month with the formula and raw counts; officers see only their own."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="performance_scores",
        parameters=[PerformanceScoreListInputSerializer],
        responses=_responses({200: PerformanceScoreOutputSerializer(many=True)}, 400),
    )
    def get(self, request: Request) -> Response:
        user = _staff(request)
        params = _input(PerformanceScoreListInputSerializer, request.query_params)
        rows = selectors.scores_for_user(
            user=user, period=params["period"], subject=params["subject"]
        )
        data = [
            {
                "subject": r["subject"],
                "closed": r["closed"],
                **score_explained(
                    r["counts"],
                    **({"version": r["formula_version"]} if r["formula_version"] else {}),
                ),
            }
            for r in rows
        ]
        return Response(PerformanceScoreOutputSerializer(data, many=True).data)


class PerformanceBreachListApi(APIView):
    """The requesting officer's own breaches of a month, with the attribution rule."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="performance_my_breaches",
        parameters=[PerformanceMonthInputSerializer],
        responses=_responses({200: PerformanceBreachOutputSerializer(many=True)}, 400),
    )
    def get(self, request: Request) -> Response:
        user = _staff(request)
        params = _input(PerformanceMonthInputSerializer, request.query_params)
        rows = selectors.breaches_for_officer(user=user, period=params["period"])
        return Response(PerformanceBreachOutputSerializer(rows, many=True).data)


class PerformanceMonthCloseApi(APIView):
    """Freeze a finished month's snapshots (managers)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="performance_month_close",
        request=PerformanceMonthInputSerializer,
        responses=_responses({201: PerformanceMonthOutputSerializer}, 400, 409),
    )
    def post(self, request: Request) -> Response:
        user = _manager(request)
        params = _input(PerformanceMonthInputSerializer, request.data)
        month = services.performance_month_close(period=params["period"], actor=user)
        return Response(PerformanceMonthOutputSerializer(month).data, status=201)


class AppealCreateApi(APIView):
    """An officer contests one of their breaches of a closed month (sanggah)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="performance_appeal_create",
        request=AppealCreateInputSerializer,
        responses=_responses({201: AppealOutputSerializer}, 400, 404, 409),
    )
    def post(self, request: Request) -> Response:
        user = _staff(request)
        data = _input(AppealCreateInputSerializer, request.data)
        entry = selectors.breach_entry_get_for_officer(
            officer=user, report=data["report"], cycle=data["cycle"]
        )
        appeal = services.appeal_submit(score_event=entry, officer=user, reason=data["reason"])
        return Response(AppealOutputSerializer(appeal).data, status=201)


class AppealDecideApi(APIView):
    """A manager upholds or rejects an appeal; upheld adds an adjustment row."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="performance_appeal_decide",
        request=AppealDecideInputSerializer,
        responses=_responses({200: AppealOutputSerializer}, 400, 404, 409),
    )
    def post(self, request: Request, appeal_id: str) -> Response:
        user = _manager(request)
        params = _input(AppealDecideInputSerializer, request.data)
        appeal = selectors.appeal_get_for_user(user=user, public_id=appeal_id)
        appeal = services.appeal_decide(
            appeal=appeal, manager=user, upheld=params["upheld"], note=params["note"]
        )
        return Response(AppealOutputSerializer(appeal).data)


class PerformanceReportApi(APIView):
    """The report: one row per group over the tickets the caller may read (managers: all)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="performance_report",
        parameters=[PerformanceReportInputSerializer],
        responses=_responses({200: PerformanceReportRowOutputSerializer(many=True)}, 400),
    )
    def get(self, request: Request) -> Response:
        report = _report_request(request, PerformanceReportInputSerializer)
        return Response(PerformanceReportRowOutputSerializer(report.rows(), many=True).data)


class PerformanceReportExportApi(APIView):
    """The report as CSV or XLSX: the same rows over the same scoped tickets."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="performance_report_export",
        parameters=[PerformanceReportExportInputSerializer],
        responses=_responses({(200, "text/csv"): OpenApiTypes.BINARY}, 400),
    )
    def get(self, request: Request) -> HttpResponse:
        report = _report_request(request, PerformanceReportExportInputSerializer)
        d = report.params
        return exports.report_download(
            rows=report.rows(),
            file_format=d["file_format"],
            name=f"performance-{d['group']}-{d['start']}-{d['end']}",
        )


class PerformanceReportTicketsApi(APIView):
    """Drill-down: the public ids of the tickets behind one number (within the caller's scope)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="performance_report_tickets",
        parameters=[PerformanceReportTicketsInputSerializer],
        responses=_responses({200: PerformanceReportTicketsOutputSerializer}, 400),
    )
    def get(self, request: Request) -> Response:
        report = _report_request(request, PerformanceReportTicketsInputSerializer)
        d = report.params
        ids = selectors.performance_report_tickets(
            grouping=d["group"], key=d["key"], metric=d["metric"], **report.reading()
        )
        return Response(
            PerformanceReportTicketsOutputSerializer(
                {"metric": d["metric"], "count": len(ids), "reports": ids}
            ).data
        )


class PerformanceChartApi(APIView):
    """A chart as inline SVG (compliance per week, breaches by unit), over the caller's scope."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="performance_chart",
        parameters=[PerformanceChartInputSerializer],
        responses=_responses({(200, "image/svg+xml"): OpenApiTypes.STR}, 400),
    )
    def get(self, request: Request) -> HttpResponse:
        report = _report_request(request, PerformanceChartInputSerializer)
        svg = charts.report_chart_svg(chart=report.params["chart"], **report.reading())
        return HttpResponse(svg, content_type="image/svg+xml")
