"""A reporter's identity from the staff API, always for one ticket (docs/privacy.md, "Reveal").

The ticket in the path is looked up in the caller's scope first (outside it: 404, like a
missing id); the reporter, the ticket reference and the unit then come from the ticket itself
(``apps.triage.services.reveal``), never from the request body, so a reveal can only ever be
asked for, and made for, the reporter of a ticket the unit actually holds. Granting stays on
``/api/v1/identity/reveal-requests/<id>/grant/``: a grant names a request, which is already
bound to its ticket, and the reveal checks the ticket again.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import User
from apps.core.api.parsers import BoundedJSONParser
from apps.core.api.schema import error_response
from apps.core.api.text_input import validated_input
from apps.identity import vault
from apps.identity.api.serializers import (
    IdentityRevealOutputSerializer,
    RevealRequestOutputSerializer,
)
from apps.identity.api.views import NO_STORE
from apps.reports.models import Report
from apps.triage.selectors import reveal as selectors_reveal
from apps.triage.selectors import scope as selectors_staff
from apps.triage.services.reveal import (
    JUSTIFICATION_MAX,
    RevealReason,
    report_identity_reveal,
    report_reveal_request_create,
)

_ERRORS = {
    400: error_response("invalid"),
    401: error_response("not_authenticated"),
    403: error_response("permission_denied, reveal_denied (with a denial code)"),
    404: error_response("No such ticket, or outside your scope."),
    410: error_response("reporter_erased"),
}


class StaffRevealFieldsInputSerializer(serializers.Serializer):
    fields = serializers.MultipleChoiceField(  # type: ignore[assignment]  # API key "fields"
        choices=list(vault.FIELDS), allow_empty=False
    )


class StaffRevealRequestCreateInputSerializer(StaffRevealFieldsInputSerializer):
    reason_code = serializers.ChoiceField(choices=RevealReason.choices)
    justification = serializers.CharField(max_length=JUSTIFICATION_MAX)


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - IsAdminUser let only a signed-in user through
    return user


def _ticket_to_act_on(request: Request, public_id: str) -> tuple[User, Report]:
    """The caller and the ticket, which they must be able to act on (else 404)."""
    user = _user(request)
    return user, selectors_staff.report_get_for_user(
        user=user, public_id=public_id, for_action=True
    )


class StaffTicketRevealRequestsApi(APIView):
    parser_classes = [BoundedJSONParser]
    permission_classes = [IsAdminUser]

    @extend_schema(
        operation_id="staff_ticket_reveal_requests_list",
        tags=["staff"],
        responses={200: RevealRequestOutputSerializer(many=True), **_ERRORS},
        description="The ticket's reveal requests you may see (yours, and those of the units "
        "you supervise), newest first.",
    )
    def get(self, request: Request, public_id: str) -> Response:
        user = _user(request)
        report = selectors_staff.report_get_for_user(user=user, public_id=public_id)
        requests = selectors_reveal.report_reveal_requests_for_user(user=user, report=report)
        return Response(RevealRequestOutputSerializer(requests, many=True).data)

    @extend_schema(
        operation_id="staff_ticket_reveal_requests_create",
        tags=["staff"],
        request=StaffRevealRequestCreateInputSerializer,
        responses={201: RevealRequestOutputSerializer, **_ERRORS},
        description="Ask to see identity fields of the ticket's reporter, for the unit that "
        "holds the ticket, with a reason. A supervisor of the unit other than you must grant "
        "it (`/api/v1/identity/reveal-requests/{id}/grant/`).",
    )
    def post(self, request: Request, public_id: str) -> Response:
        user, report = _ticket_to_act_on(request, public_id)
        data = validated_input(request, StaffRevealRequestCreateInputSerializer)
        reveal_request = report_reveal_request_create(
            report=report,
            actor=user,
            reason_code=data["reason_code"],
            justification=data["justification"],
            fields=sorted(data["fields"]),
        )
        return Response(
            RevealRequestOutputSerializer(reveal_request).data, status=status.HTTP_201_CREATED
        )


class StaffTicketRevealApi(APIView):
    parser_classes = [BoundedJSONParser]
    permission_classes = [IsAdminUser]

    @extend_schema(
        operation_id="staff_ticket_reveal",
        tags=["staff"],
        request=StaffRevealFieldsInputSerializer,
        responses={200: IdentityRevealOutputSerializer, **_ERRORS},
        description="Decrypt granted identity fields of the ticket's reporter: only the "
        "requester, while the grant lasts and the ticket is still with the unit. Logged; "
        "never cached.",
    )
    def post(self, request: Request, public_id: str) -> Response:
        user, report = _ticket_to_act_on(request, public_id)
        data = validated_input(request, StaffRevealFieldsInputSerializer)
        identity = report_identity_reveal(report=report, actor=user, fields=sorted(data["fields"]))
        body = {
            "pseudonym": report.reporter.pseudonym,
            "ticket_ref": report.public_id,
            "identity": identity,
        }
        return Response(IdentityRevealOutputSerializer(body).data, headers=NO_STORE)
