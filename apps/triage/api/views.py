"""The staff (officer) API under /api/v1/staff/ (docs/triage.md): one APIView per operation.

Every view finds the ticket through ``apps.triage.selectors.scope`` (the one scope shared
with the admin and the exports) and calls one service. Outside the scope is a 404.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from apps.accounts.models import Agency, User
from apps.core.api.schema import RETRY_AFTER, error_response
from apps.core.api.text_input import validated_input
from apps.core.errors import ApplicationError, NotFound
from apps.core.pagination import Pagination
from apps.identity.errors import RetryLater
from apps.reports.models import Report
from apps.triage import services
from apps.triage.api.serializers import (
    StaffAssignInputSerializer,
    StaffCompleteInputSerializer,
    StaffKoordinasiInputSerializer,
    StaffMergeInputSerializer,
    StaffNoteInputSerializer,
    StaffQuestionInputSerializer,
    StaffReasonInputSerializer,
    StaffRejectInputSerializer,
    StaffRequiredNoteInputSerializer,
    StaffReturnInputSerializer,
    StaffTicketDetailOutputSerializer,
    StaffTicketListInputSerializer,
    StaffTicketOutputSerializer,
    StaffTicketPageOutputSerializer,
    StaffTokenInputSerializer,
    StaffTokenOutputSerializer,
    StaffTransferInputSerializer,
)
from apps.triage.selectors import scope as selectors_staff

_ERRORS = {
    400: error_response("Invalid input (code `invalid`, or a more specific code)."),
    401: error_response("Missing or invalid token."),
    403: error_response("Not a staff account."),
    404: error_response("No such ticket, or outside your scope."),
    409: error_response("`invalid_transition` or `ticket_moved`."),
}


class InvalidCredentials(ApplicationError):
    code = "invalid_credentials"
    status = 400
    default_message = _("Wrong username or password, or not a staff account.")


class SignInLocked(RetryLater):
    code = "sign_in_locked"
    default_message = _(
        "Too many failed sign-in attempts for this account or from this address. Sign-in is "
        "locked for a while; an administrator can unlock it sooner."
    )


class StaffTokenThrottle(AnonRateThrottle):
    scope = "staff_token"
    rate = "10/min"


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _detail_response(
    request: Request, *, public_id: str, code: int = 200, acted_on: Report | None = None
) -> Response:
    """The ticket as the signed-in user sees it; right after an action, as it is now (even if
    the action moved it out of the actor's scope, e.g. a disposisi). Photo links are absolute
    (built from ``request``), like the report API's."""
    user = _user(request)
    scope = selectors_staff.staff_scope_for_user(user=user)
    report: Report
    if acted_on is not None:
        report = selectors_staff.report_list_for_user(
            user=user, scope=selectors_staff.ALL_SCOPE
        ).get(pk=acted_on.pk)
    else:
        report = selectors_staff.report_get_for_user(user=user, public_id=public_id, scope=scope)
    timeline = list(selectors_staff.report_timeline_for_staff(report=report, scope=scope))
    context = {
        "request": request,
        "photos": selectors_staff.report_photos_for_staff(report=report),
        "timeline": timeline,
        "event_data": selectors_staff.event_data_for_staff(events=timeline),
        "can_act": scope.can_act(report),
        "templates": selectors_staff.response_templates_for(report=report),
        "reasons": selectors_staff.canned_reasons_for(agency=report.agency),
    }
    return Response(StaffTicketDetailOutputSerializer(report, context=context).data, status=code)


def _agency(code: str, field: str = "to_agency") -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise ApplicationError(fields={field: ["Unknown unit code."]})
    return agency


class StaffTokenCreateApi(APIView):
    """Sign in with a staff username and password; the answer is a token (knox)."""

    authentication_classes: list[type] = []
    throttle_classes = [StaffTokenThrottle]

    @extend_schema(
        operation_id="staff_auth_token_create",
        tags=["staff"],
        request=StaffTokenInputSerializer,
        responses={
            200: StaffTokenOutputSerializer,
            400: error_response(
                "`invalid` (a field is missing) or `invalid_credentials` (wrong username or "
                "password, or not a staff account)."
            ),
            415: error_response("`unsupported_media_type`: not JSON, form or multipart."),
            429: error_response(
                "`throttled`: too many sign-in attempts from this address; `sign_in_locked`: "
                "too many failed passwords for the account or the address (django-axes)."
            ),
        },
        parameters=[RETRY_AFTER],
    )
    def post(self, request: Request) -> Response:
        data = validated_input(request, StaffTokenInputSerializer)
        user = authenticate(request, username=data["username"], password=data["password"])
        if getattr(request, "axes_locked_out", False):  # django-axes, docs/security.md
            raise SignInLocked(retry_after=int(settings.AXES_COOLOFF_TIME.total_seconds()))
        if user is None or not user.is_active or not user.is_staff:
            raise InvalidCredentials()
        instance, token = AuthToken.objects.create(user=user)
        return Response({"token": token, "expiry": instance.expiry})


class StaffTicketListApi(APIView):
    """The queue: the tickets in your scope, least SLA time left first."""

    permission_classes = [IsAdminUser]

    @extend_schema(
        operation_id="staff_tickets_list",
        tags=["staff"],
        parameters=[StaffTicketListInputSerializer],
        responses={200: StaffTicketPageOutputSerializer, **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = validated_input(request, StaffTicketListInputSerializer)
        user = _user(request)
        queryset = selectors_staff.report_queue_filter(
            selectors_staff.report_list_for_user(user=user),
            statuses=sorted(filters.get("status") or []),
            category=filters.get("category"),
            area_code=filters.get("area"),
            agency_code=filters.get("agency"),
            sla=filters.get("sla"),
            created_from=filters.get("created_from"),
            created_to=filters.get("created_to"),
            assignee=user if filters.get("mine") else None,
        ).select_related("parent")
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(StaffTicketOutputSerializer(page, many=True).data)


class StaffTicketDetailApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        operation_id="staff_tickets_retrieve",
        tags=["staff"],
        responses={200: StaffTicketDetailOutputSerializer, **_ERRORS},
    )
    def get(self, request: Request, public_id: str) -> Response:
        return _detail_response(request, public_id=public_id)


class _StaffActionApi(APIView):
    """Base of the action endpoints: find the ticket (may act), call one service."""

    permission_classes = [IsAdminUser]
    input_serializer: type[serializers.Serializer] = StaffNoteInputSerializer

    def act(self, *, report: Report, actor: User, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: Request, public_id: str) -> Response:
        data = validated_input(request, self.input_serializer)
        actor = _user(request)
        report = selectors_staff.report_get_for_user(
            user=actor, public_id=public_id, for_action=True
        )
        self.act(report=report, actor=actor, data=data)
        return _detail_response(request, public_id=public_id, acted_on=report)


def _action_schema(operation: str, request: type[serializers.Serializer], doc: str) -> Any:
    return extend_schema(
        operation_id=f"staff_tickets_{operation}",
        tags=["staff"],
        request=request,
        responses={200: StaffTicketDetailOutputSerializer, **_ERRORS},
        description=doc,
    )


class StaffTicketTakeApi(_StaffActionApi):
    @_action_schema("take", StaffNoteInputSerializer, "Claim the ticket for yourself.")
    def post(self, request: Request, public_id: str) -> Response:
        return super().post(request, public_id)

    def act(self, *, report: Report, actor: User, data: dict[str, Any]) -> None:
        services.report_take(report=report, actor=actor)


class StaffTicketAssignApi(_StaffActionApi):
    input_serializer = StaffAssignInputSerializer

    @_action_schema("assign", StaffAssignInputSerializer, "Assign to an officer of the unit.")
    def post(self, request: Request, public_id: str) -> Response:
        return super().post(request, public_id)

    def act(self, *, report: Report, actor: User, data: dict[str, Any]) -> None:
        assignee = User.objects.filter(username=data["assignee"]).first()
        if assignee is None:
            raise ApplicationError(fields={"assignee": ["Not an officer of the ticket's unit."]})
        services.report_assign(report=report, actor=actor, assignee=assignee)


class StaffTicketStartApi(_StaffActionApi):
    input_serializer = StaffRequiredNoteInputSerializer

    @_action_schema("start", StaffRequiredNoteInputSerializer, "Start work with a public note.")
    def post(self, request: Request, public_id: str) -> Response:
        return super().post(request, public_id)

    def act(self, *, report: Report, actor: User, data: dict[str, Any]) -> None:
        services.report_start(report=report, actor=actor, note=data["note"])


class StaffTicketDisposisiApi(_StaffActionApi):
    input_serializer = StaffTransferInputSerializer

    @_action_schema("disposisi", StaffTransferInputSerializer, "Dinas → one of its Suku Dinas.")
    def post(self, request: Request, public_id: str) -> Response:
        return super().post(request, public_id)

    def act(self, *, report: Report, actor: User, data: dict[str, Any]) -> None:
        services.report_disposisi(
            report=report, actor=actor, to_agency=_agency(data["to_agency"]), note=data["note"]
        )


class StaffTicketKoordinasiApi(_StaffActionApi):
    input_serializer = StaffKoordinasiInputSerializer

    @_action_schema(
        "koordinasi", StaffKoordinasiInputSerializer, "Ask another unit, with a reason."
    )
    def post(self, request: Request, public_id: str) -> Response:
        return super().post(request, public_id)

    def act(self, *, report: Report, actor: User, data: dict[str, Any]) -> None:
        services.report_koordinasi(
            report=report, actor=actor, to_agency=_agency(data["to_agency"]), reason=data["reason"]
        )


class StaffTicketKoordinasiAcceptApi(_StaffActionApi):
    input_serializer = StaffRequiredNoteInputSerializer

    @_action_schema(
        "koordinasi_accept", StaffRequiredNoteInputSerializer, "Take over a koordinasi request."
    )
    def post(self, request: Request, public_id: str) -> Response:
        return super().post(request, public_id)

    def act(self, *, report: Report, actor: User, data: dict[str, Any]) -> None:
        services.report_koordinasi_accept(report=report, actor=actor, note=data["note"])


class StaffTicketKoordinasiDeclineApi(_StaffActionApi):
    input_serializer = StaffReasonInputSerializer

    @_action_schema(
        "koordinasi_decline", StaffReasonInputSerializer, "Send a koordinasi request back."
    )
    def post(self, request: Request, public_id: str) -> Response:
        return super().post(request, public_id)

    def act(self, *, report: Report, actor: User, data: dict[str, Any]) -> None:
        services.report_koordinasi_decline(report=report, actor=actor, reason=data["reason"])


class StaffTicketReturnApi(_StaffActionApi):
    input_serializer = StaffReturnInputSerializer

    @_action_schema("return", StaffReturnInputSerializer, "Bukan wewenang: back to triage.")
    def post(self, request: Request, public_id: str) -> Response:
        return super().post(request, public_id)

    def act(self, *, report: Report, actor: User, data: dict[str, Any]) -> None:
        services.report_return_to_triage(
            report=report, actor=actor, reason_code=data["reason_code"], note=data["note"]
        )


class StaffTicketRequestInfoApi(_StaffActionApi):
    input_serializer = StaffQuestionInputSerializer

    @_action_schema("request_info", StaffQuestionInputSerializer, "Ask the reporter (relay).")
    def post(self, request: Request, public_id: str) -> Response:
        return super().post(request, public_id)

    def act(self, *, report: Report, actor: User, data: dict[str, Any]) -> None:
        services.report_request_info(report=report, actor=actor, question=data["question"])


class StaffTicketResumeApi(_StaffActionApi):
    @_action_schema("resume", StaffNoteInputSerializer, "Continue after the reporter's answer.")
    def post(self, request: Request, public_id: str) -> Response:
        return super().post(request, public_id)

    def act(self, *, report: Report, actor: User, data: dict[str, Any]) -> None:
        services.report_resume(report=report, actor=actor, note=data["note"])


class StaffTicketCompleteApi(_StaffActionApi):
    input_serializer = StaffCompleteInputSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="staff_tickets_complete",
        tags=["staff"],
        request={"multipart/form-data": StaffCompleteInputSerializer},
        responses={200: StaffTicketDetailOutputSerializer, **_ERRORS},
        description="Post the follow-up with an after-photo taken within 200 m, after the report.",
    )
    def post(self, request: Request, public_id: str) -> Response:
        return super().post(request, public_id)

    def act(self, *, report: Report, actor: User, data: dict[str, Any]) -> None:
        geotag = None
        if "lat" in data:
            geotag = Point(data["lon"], data["lat"], srid=4326)
        services.report_complete(
            report=report, actor=actor, note=data["note"], photo=data["photo"], geotag=geotag
        )


class StaffTicketRejectApi(_StaffActionApi):
    input_serializer = StaffRejectInputSerializer

    @_action_schema("reject", StaffRejectInputSerializer, "Reject with a reason code.")
    def post(self, request: Request, public_id: str) -> Response:
        return super().post(request, public_id)

    def act(self, *, report: Report, actor: User, data: dict[str, Any]) -> None:
        services.report_reject(
            report=report, actor=actor, reason_code=data["reason_code"], note=data["note"]
        )


class StaffTicketMergeApi(_StaffActionApi):
    input_serializer = StaffMergeInputSerializer

    @_action_schema("merge", StaffMergeInputSerializer, "Merge this duplicate into a parent.")
    def post(self, request: Request, public_id: str) -> Response:
        return super().post(request, public_id)

    def act(self, *, report: Report, actor: User, data: dict[str, Any]) -> None:
        try:
            parent = selectors_staff.report_get_for_user(user=actor, public_id=data["parent"])
        except NotFound:
            raise ApplicationError(fields={"parent": ["No such ticket in your scope."]}) from None
        services.report_merge(report=report, parent=parent, actor=actor, note=data["note"])
