"""The performance API: scores, breaches, appeals, the manager report, exports and charts."""

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import User
from apps.core.errors import Forbidden, NotFound
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
from apps.performance.models import Appeal, ScoreEvent

DENIED = {403: OpenApiResponse(description="permission_denied (not staff / not a manager)")}


def _staff(request: Request) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_staff or not user.is_active:
        raise Forbidden()
    return user


def _manager(request: Request) -> User:
    user = _staff(request)
    if not selectors.user_is_manager(user=user):
        raise Forbidden()
    return user


class PerformanceScoreListApi(APIView):
    """Scores of a month with the formula and raw counts; officers see only their own."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="performance_scores",
        parameters=[PerformanceScoreListInputSerializer],
        responses={200: PerformanceScoreOutputSerializer(many=True), **DENIED},
    )
    def get(self, request: Request) -> Response:
        user = _staff(request)
        params = PerformanceScoreListInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = selectors.scores_for_user(
            user=user,
            period=params.validated_data["period"],
            subject=params.validated_data["subject"],
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
        responses={200: PerformanceBreachOutputSerializer(many=True), **DENIED},
    )
    def get(self, request: Request) -> Response:
        user = _staff(request)
        params = PerformanceMonthInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = selectors.breaches_for_officer(user=user, period=params.validated_data["period"])
        return Response(PerformanceBreachOutputSerializer(rows, many=True).data)


class PerformanceMonthCloseApi(APIView):
    """Freeze a finished month's snapshots (managers)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="performance_month_close",
        request=PerformanceMonthInputSerializer,
        responses={
            201: PerformanceMonthOutputSerializer,
            400: OpenApiResponse(),
            409: OpenApiResponse(),
            **DENIED,
        },
    )
    def post(self, request: Request) -> Response:
        user = _manager(request)
        params = PerformanceMonthInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        month = services.performance_month_close(period=params.validated_data["period"], actor=user)
        return Response(PerformanceMonthOutputSerializer(month).data, status=201)


class AppealCreateApi(APIView):
    """An officer contests one of their breaches of a closed month (sanggah)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="performance_appeal_create",
        request=AppealCreateInputSerializer,
        responses={
            201: AppealOutputSerializer,
            400: OpenApiResponse(),
            404: OpenApiResponse(),
            409: OpenApiResponse(),
            **DENIED,
        },
    )
    def post(self, request: Request) -> Response:
        user = _staff(request)
        params = AppealCreateInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        entry = (
            ScoreEvent.objects.filter(
                source=ScoreEvent.Source.SLA_BREACH,
                kind=ScoreEvent.Kind.BREACH,
                report__public_id=data["report"],
                officer=user,
                source_id__in=_breach_ids(report=data["report"], cycle=data["cycle"]),
            )
            .select_related("report")
            .first()
        )
        if entry is None:
            raise NotFound()
        appeal = services.appeal_submit(score_event=entry, officer=user, reason=data["reason"])
        return Response(AppealOutputSerializer(appeal).data, status=201)


def _breach_ids(*, report: str, cycle: int) -> Any:
    from apps.sla.models import SlaBreach

    return SlaBreach.objects.filter(report__public_id=report, cycle=cycle).values("pk")


class AppealDecideApi(APIView):
    """A manager upholds or rejects an appeal; upheld adds an adjustment row."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="performance_appeal_decide",
        request=AppealDecideInputSerializer,
        responses={
            200: AppealOutputSerializer,
            404: OpenApiResponse(),
            409: OpenApiResponse(),
            **DENIED,
        },
    )
    def post(self, request: Request, appeal_id: str) -> Response:
        user = _manager(request)
        params = AppealDecideInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        appeal = get_object_or_404(Appeal, public_id=appeal_id)
        appeal = services.appeal_decide(
            appeal=appeal,
            manager=user,
            upheld=params.validated_data["upheld"],
            note=params.validated_data["note"],
        )
        return Response(AppealOutputSerializer(appeal).data)


class PerformanceReportApi(APIView):
    """The manager report: one row per group, every number from one aggregate query."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="performance_report",
        parameters=[PerformanceReportInputSerializer],
        responses={200: PerformanceReportRowOutputSerializer(many=True), **DENIED},
    )
    def get(self, request: Request) -> Response:
        _manager(request)
        params = PerformanceReportInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        rows = selectors.performance_report(
            start=d["start_at"], end=d["end_at"], grouping=d["group"], now=timezone.now()
        )
        return Response(PerformanceReportRowOutputSerializer(rows, many=True).data)


class PerformanceReportExportApi(APIView):
    """The manager report as CSV or XLSX."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="performance_report_export",
        parameters=[PerformanceReportExportInputSerializer],
        responses={(200, "text/csv"): OpenApiTypes.BINARY, **DENIED},
    )
    def get(self, request: Request) -> HttpResponse:
        _manager(request)
        params = PerformanceReportExportInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        rows = selectors.performance_report(
            start=d["start_at"], end=d["end_at"], grouping=d["group"], now=timezone.now()
        )
        name = f"performance-{d['group']}-{d['start']}-{d['end']}"
        if d["file_format"] == "csv":
            response = HttpResponse(exports.report_csv(rows), content_type="text/csv")
        else:
            response = HttpResponse(
                exports.report_xlsx(rows),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{name}.{d["file_format"]}"'
        return response


class PerformanceReportTicketsApi(APIView):
    """Drill-down: the public ids of the tickets behind one number of the report."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="performance_report_tickets",
        parameters=[PerformanceReportTicketsInputSerializer],
        responses={200: PerformanceReportTicketsOutputSerializer, **DENIED},
    )
    def get(self, request: Request) -> Response:
        _manager(request)
        params = PerformanceReportTicketsInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        ids = selectors.performance_report_tickets(
            start=d["start_at"],
            end=d["end_at"],
            grouping=d["group"],
            key=d["key"],
            metric=d["metric"],
            now=timezone.now(),
        )
        return Response(
            PerformanceReportTicketsOutputSerializer(
                {"metric": d["metric"], "count": len(ids), "reports": ids}
            ).data
        )


class PerformanceChartApi(APIView):
    """A chart as inline SVG (compliance per week, breaches by unit)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="performance_chart",
        parameters=[PerformanceChartInputSerializer],
        responses={(200, "image/svg+xml"): OpenApiTypes.STR, **DENIED},
    )
    def get(self, request: Request) -> HttpResponse:
        _manager(request)
        params = PerformanceChartInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        return HttpResponse(
            chart_svg(chart=d["chart"], start=d["start_at"], end=d["end_at"]),
            content_type="image/svg+xml",
        )


def chart_svg(*, chart: str, start: Any, end: Any) -> str:
    now = timezone.now()
    if chart == "compliance_by_week":
        weeks = selectors.compliance_by_week(start=start, end=end, now=now)
        return charts.bar_chart_svg(
            title="SLA compliance per week (%)",
            labels=[f"{w['week']:%d %b}" for w in weeks],
            values=[w["compliance_pct"] for w in weeks],
            max_value=100,
            unit="%",
        )
    rows = selectors.performance_report(start=start, end=end, grouping="unit", now=now)
    rows = sorted(rows, key=lambda r: -r["breaches"])[:20]
    return charts.bar_chart_svg(
        title="Breaches by unit",
        labels=[r["code"] or "-" for r in rows],
        values=[r["breaches"] for r in rows],
    )
