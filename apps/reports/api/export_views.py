"""``GET /api/v1/me/export/``: everything held about the signed-in citizen, tickets included.

The endpoint lives here, not in identity, because identity cannot import reports (the
dependency order, docs/architecture.md §2): identity's export is extended with the tickets.
"""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.identity.api.serializers import (
    ExportRevealOutputSerializer,
    InboxMessageOutputSerializer,
    MeOutputSerializer,
)
from apps.identity.api.views import NO_STORE, current_reporter
from apps.reports.api.serializers import (
    ReportAreaRefSerializer,
    ReportCategoryRefSerializer,
    ReportLocationSerializer,
    ReportMessageOutputSerializer,
    ReportTimelineEventOutputSerializer,
)
from apps.reports.models import Report
from apps.reports.selectors_export import reporter_export_with_reports


class ExportReportOutputSerializer(serializers.ModelSerializer):
    """One of the citizen's tickets as it appears in their export."""

    id = serializers.CharField(source="public_id")
    status_label = serializers.CharField(source="get_status_display")
    category = ReportCategoryRefSerializer()
    location = serializers.SerializerMethodField()
    area = ReportAreaRefSerializer(allow_null=True)
    timeline = ReportTimelineEventOutputSerializer(source="export_events", many=True)
    messages = ReportMessageOutputSerializer(source="export_messages", many=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "category",
            "status",
            "status_label",
            "created_at",
            "description",
            "location",
            "address_hint",
            "area",
            "rating",
            "rating_comment",
            "timeline",
            "messages",
        ]

    @extend_schema_field(ReportLocationSerializer(allow_null=True))
    def get_location(self, report: Report) -> dict[str, float] | None:
        if report.location is None or not report.location_is_exact:
            return None  # filed by address: no reported coordinates
        return {"lat": report.location.y, "lon": report.location.x}


class MeExportOutputSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    profile = MeOutputSerializer()
    reveals = ExportRevealOutputSerializer(many=True)
    inbox = InboxMessageOutputSerializer(many=True)
    reports = ExportReportOutputSerializer(many=True)


class MeExportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_export",
        tags=["me"],
        responses={
            200: MeExportOutputSerializer,
            401: OpenApiResponse(description="Not signed in, or the token is revoked."),
            404: OpenApiResponse(description="Not a citizen account, or erased."),
        },
        description="Everything held about you: profile, every reveal of your identity, "
        "inbox, and your reports with their public timeline, messages and rating.",
    )
    def get(self, request: Request) -> Response:
        export: dict[str, Any] = reporter_export_with_reports(reporter=current_reporter(request))
        return Response(MeExportOutputSerializer(export).data, headers=NO_STORE)
