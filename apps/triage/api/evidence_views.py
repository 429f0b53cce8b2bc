"""The staff evidence API under /api/v1/staff/tickets/<id>/ (docs/cctv.md).

The ticket is found through the one staff scope (404 outside it); the evidence needs the
stricter evidence access (403 ``evidence_denied``). Plays are logged (user, ticket, purpose).
"""

from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import User
from apps.accounts.requests import request_user
from apps.core.api.schema import error_response
from apps.core.api.text_input import validated_input
from apps.reports.models import Report
from apps.triage import services
from apps.triage.api.evidence_serializers import (
    StaffClipLinkInputSerializer,
    StaffClipPlayInputSerializer,
    StaffClipPlayOutputSerializer,
    StaffClipUnlinkInputSerializer,
    StaffCorrectionInputSerializer,
    StaffCorrectionOutputSerializer,
    StaffEvidenceOutputSerializer,
)
from apps.triage.selectors import scope as selectors_staff
from apps.triage.selectors.evidence import EvidenceDenied, ticket_evidence_for_user

_ERRORS = {
    400: error_response("Invalid input."),
    401: error_response("Missing or invalid token."),
    403: error_response("Not a staff account, or `evidence_denied`."),
    404: error_response("No such ticket (or clip), or outside your scope."),
}


class _EvidenceApi(APIView):
    permission_classes = [IsAdminUser]

    def user(self) -> User:
        return request_user(self.request)

    def ticket(self, public_id: str) -> Report:
        return selectors_staff.report_get_for_user(user=self.user(), public_id=public_id)

    def evidence_body(self, report: Report) -> dict[str, Any]:
        seen = ticket_evidence_for_user(user=self.user(), report=report)
        if not seen.may_view:
            raise EvidenceDenied()
        return {
            "may_manage": seen.may_manage,
            "cameras_down": seen.cameras_down,
            "open_requests": seen.open_requests,
            "cameras": [
                {
                    "code": row.camera.code,
                    "name": row.camera.name,
                    "lat": round(row.camera.location.y, 7),
                    "lon": round(row.camera.location.x, 7),
                    "heading": row.camera.heading,
                    "fov": row.camera.fov,
                    "range_m": row.camera.range_m,
                    "status": row.camera.status,
                    "distance_m": row.distance_m,
                    "bearing_deg": row.bearing_deg,
                    "reason": row.reason,
                    "down_at_time": row.down_at_time,
                    "clip_count": row.clip_count,
                }
                for row in seen.cameras
            ],
            "clips": [
                {
                    "uid": row.uid,
                    "camera": row.camera_code,
                    "start": row.starts_at,
                    "end": row.ends_at,
                    "offset_s": row.offset_s,
                    "origin": row.link.source,
                    "reason": row.link.reason,
                    "distance_m": row.link.distance_m,
                    "note": row.link.note,
                    "held_until": row.held_until,
                    "hold_indefinite": row.hold_indefinite,
                    "playable": row.playable,
                }
                for row in seen.links
            ],
        }


class StaffTicketEvidenceApi(_EvidenceApi):
    @extend_schema(
        operation_id="staff_ticket_evidence",
        tags=["staff"],
        responses={200: StaffEvidenceOutputSerializer, **_ERRORS},
        description="The cameras that see the ticket's place (with their view sectors), and "
        "the linked clips with their holds. Place and time only.",
    )
    def get(self, request: Request, public_id: str) -> Response:
        body = self.evidence_body(self.ticket(public_id))
        return Response(StaffEvidenceOutputSerializer(body).data)


class StaffTicketClipPlayApi(_EvidenceApi):
    @extend_schema(
        operation_id="staff_ticket_clip_play",
        tags=["staff"],
        request=StaffClipPlayInputSerializer,
        responses={200: StaffClipPlayOutputSerializer, **_ERRORS},
        description="Log a play (user, ticket, purpose) and get a short-lived URL for it.",
    )
    def post(self, request: Request, public_id: str, uid: str) -> Response:
        report = self.ticket(public_id)
        data = validated_input(request, StaffClipPlayInputSerializer)
        url = services.report_clip_play(
            user=self.user(), report=report, clip_uid=str(uid), purpose=data["purpose"]
        )
        body = {
            "url": request.build_absolute_uri(url),
            "expires_in": int(settings.CCTV_SIGNED_URL_TTL.total_seconds()),
        }
        return Response(StaffClipPlayOutputSerializer(body).data)


class StaffTicketClipLinkApi(_EvidenceApi):
    @extend_schema(
        operation_id="staff_ticket_clip_link",
        tags=["staff"],
        request=StaffClipLinkInputSerializer,
        responses={201: StaffEvidenceOutputSerializer, **_ERRORS},
        description="Link a clip by hand, with a note. The automatic pass never removes it.",
    )
    def post(self, request: Request, public_id: str) -> Response:
        report = self.ticket(public_id)
        data = validated_input(request, StaffClipLinkInputSerializer)
        services.report_clip_link_add(
            report=report, clip_uid=str(data["clip"]), actor=self.user(), note=data["note"]
        )
        return Response(StaffEvidenceOutputSerializer(self.evidence_body(report)).data, status=201)


class StaffTicketClipUnlinkApi(_EvidenceApi):
    @extend_schema(
        operation_id="staff_ticket_clip_unlink",
        tags=["staff"],
        request=StaffClipUnlinkInputSerializer,
        responses={200: StaffEvidenceOutputSerializer, **_ERRORS},
        description="Remove a link, with a note. The automatic pass never adds it back.",
    )
    def post(self, request: Request, public_id: str, uid: str) -> Response:
        report = self.ticket(public_id)
        data = validated_input(request, StaffClipUnlinkInputSerializer)
        services.report_clip_link_remove(
            report=report, clip_uid=str(uid), actor=self.user(), note=data["note"]
        )
        return Response(StaffEvidenceOutputSerializer(self.evidence_body(report)).data)


class StaffTicketCorrectApi(_EvidenceApi):
    @extend_schema(
        operation_id="staff_ticket_correct",
        tags=["staff"],
        request=StaffCorrectionInputSerializer,
        responses={
            200: StaffCorrectionOutputSerializer,
            422: error_response("`outside_service_area`: the point is outside Jakarta."),
            **_ERRORS,
        },
        description="Correct where or when the incident happened (an internal timeline "
        "event); the CCTV evidence is recomputed.",
    )
    def post(self, request: Request, public_id: str) -> Response:
        report = self.ticket(public_id)
        data = validated_input(request, StaffCorrectionInputSerializer)
        location = (
            Point(data["lon"], data["lat"], srid=4326) if data.get("lat") is not None else None
        )
        corrected = services.report_correct_place_time(
            report=report,
            actor=self.user(),
            note=data["note"],
            location=location,
            occurred_at=data.get("occurred_at"),
        )
        body = {
            "public_id": corrected.public_id,
            "lat": round(corrected.location.y, 7) if corrected.location else None,
            "lon": round(corrected.location.x, 7) if corrected.location else None,
            "occurred_at": corrected.occurred_at,
            "relinking": True,
        }
        return Response(StaffCorrectionOutputSerializer(body).data)
