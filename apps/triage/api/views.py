"""The staff (officer) API under /api/v1/staff/ (docs/triage.md): one APIView per operation.

Every view finds the ticket through ``apps.triage.selectors.scope`` (the one scope shared
with the admin and the exports) and calls one service. Outside the scope is a 404.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from apps.accounts.requests import request_user
from apps.core.api.schema import RETRY_AFTER, error_response
from apps.core.api.text_input import validated_input
from apps.core.errors import ApplicationError
from apps.core.pagination import Pagination
from apps.identity.errors import RetryLater
from apps.reports.models import Report
from apps.triage.actions import ACTIONS, OfficerAction
from apps.triage.api.serializers import (
    StaffTicketDetailOutputSerializer,
    StaffTicketListInputSerializer,
    StaffTicketOutputSerializer,
    StaffTicketPageOutputSerializer,
    StaffTokenInputSerializer,
    StaffTokenOutputSerializer,
)
from apps.triage.selectors import scope as selectors_staff
from apps.triage.selectors import timeline as staff_timeline

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


def _detail_response(
    request: Request, *, public_id: str, code: int = 200, acted_on: Report | None = None
) -> Response:
    """The ticket as the signed-in user sees it; right after an action, as it is now (even if
    the action moved it out of the actor's scope, e.g. a disposisi). Photo links are absolute
    (built from ``request``), like the report API's."""
    user = request_user(request)
    scope = selectors_staff.staff_scope_for_user(user=user)
    report: Report
    if acted_on is not None:
        report = selectors_staff.report_list_for_user(
            user=user, scope=selectors_staff.ALL_SCOPE
        ).get(pk=acted_on.pk)
    else:
        report = selectors_staff.report_get_for_user(user=user, public_id=public_id, scope=scope)
    timeline = list(staff_timeline.report_timeline_for_staff(report=report, scope=scope))
    context = {
        "request": request,
        "photos": selectors_staff.report_photos_for_staff(report=report),
        "timeline": timeline,
        "event_data": staff_timeline.event_data_for_staff(events=timeline),
        "can_act": scope.can_act(report),
        "templates": selectors_staff.response_templates_for(report=report),
        "reasons": selectors_staff.canned_reasons_for(agency=report.agency),
    }
    return Response(StaffTicketDetailOutputSerializer(report, context=context).data, status=code)


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
        user = request_user(request)
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
    """Base of the action endpoints: find the ticket (may act), run its ``OfficerAction``."""

    permission_classes = [IsAdminUser]
    action: OfficerAction

    def post(self, request: Request, public_id: str) -> Response:
        data = validated_input(request, self.action.input)
        actor = request_user(request)
        report = selectors_staff.report_get_for_user(
            user=actor, public_id=public_id, for_action=True
        )
        self.action.run(report=report, actor=actor, data=data)
        return _detail_response(request, public_id=public_id, acted_on=report)


def _action_view(action: OfficerAction) -> type[APIView]:
    """One endpoint (and one OpenAPI operation) per entry of the action table."""
    schema = extend_schema(
        operation_id=f"staff_tickets_{action.name}",
        tags=["staff"],
        request={"multipart/form-data": action.input} if action.multipart else action.input,
        responses={200: StaffTicketDetailOutputSerializer, **_ERRORS},
        description=action.doc,
    )

    def post(self: _StaffActionApi, request: Request, public_id: str) -> Response:
        return _StaffActionApi.post(self, request, public_id)

    attributes: dict[str, Any] = {"action": action, "post": schema(post)}
    if action.multipart:
        attributes["parser_classes"] = [MultiPartParser, FormParser]
    name = "".join(part.title() for part in action.name.split("_"))
    return type(f"StaffTicket{name}Api", (_StaffActionApi,), attributes)


ACTION_VIEWS: dict[str, type[APIView]] = {name: _action_view(a) for name, a in ACTIONS.items()}
