"""Identity endpoints: sign-in by OTP, the citizen's own data and inbox, the reveal workflow.

One view per operation (docs/conventions.md C13); where one path carries several methods
(``/me/``), each method is its own documented handler calling one service or selector.
Responses carrying personal data or a token are ``Cache-Control: no-store``.
"""

from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAdminUser, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from apps.accounts.models import User
from apps.core.api.parsers import BoundedJSONParser
from apps.core.errors import NotFound
from apps.core.pagination import Pagination
from apps.identity import selectors, services
from apps.identity.api.serializers import (
    InboxMessageOutputSerializer,
    InboxPageOutputSerializer,
    MeOutputSerializer,
    MeUpdateInputSerializer,
    OtpRequestInputSerializer,
    OtpRequestOutputSerializer,
    OtpVerifyInputSerializer,
    OtpVerifyOutputSerializer,
    PageQueryInputSerializer,
    RevealRequestGrantInputSerializer,
    RevealRequestOutputSerializer,
    RevealRequestPageOutputSerializer,
)
from apps.identity.models import Reporter

NO_STORE = {"Cache-Control": "no-store"}

_400 = OpenApiResponse(description="Invalid input (`invalid`, `otp_invalid`, `otp_expired`).")
_401 = OpenApiResponse(description="Not signed in, or the token is revoked or expired.")
_403 = OpenApiResponse(description="Refused (`reveal_denied`, `permission_denied`).")
_404 = OpenApiResponse(description="Not found (or not yours).")
_429 = OpenApiResponse(description="Too many requests (`throttled`, `otp_locked`).")


PAGE_PARAMETERS = [PageQueryInputSerializer]


def _paginated(
    request: Request, view: APIView, queryset: QuerySet[Any], serializer: Any
) -> Response:
    """One page of ``queryset``; malformed ``page``/``page_size`` are a 400, not ignored."""
    PageQueryInputSerializer(data=request.query_params).is_valid(raise_exception=True)
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


def _user(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):
        raise NotFound()
    return user


def current_reporter(request: Request) -> Reporter:
    """The signed-in citizen's reporter profile; staff and erased accounts get a 404."""
    reporter = selectors.reporter_for_user(user=_user(request))
    if reporter is None:
        raise NotFound()
    return reporter


def client_ip(request: Request) -> str:
    """The client address as DRF's throttles see it (``REST_FRAMEWORK["NUM_PROXIES"]``).

    With ``NUM_PROXIES = n`` only the address the n-th proxy from us saw is trusted, so a
    client cannot pick its own identity by sending ``X-Forwarded-For``.
    """
    return BaseThrottle().get_ident(request)


# --- sign-in ---------------------------------------------------------------------------------


class OtpRequestApi(APIView):
    parser_classes = [BoundedJSONParser]
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        operation_id="auth_otp_request",
        tags=["auth"],
        request=OtpRequestInputSerializer,
        responses={202: OtpRequestOutputSerializer, 400: _400, 429: _429},
        description="Send a 6-digit sign-in code by SMS. Always 202 for a valid mobile number, "
        "whether or not an account exists.",
    )
    def post(self, request: Request) -> Response:
        data = OtpRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.otp_request(phone=data.validated_data["phone"], client_ip=client_ip(request))
        body = {"status": "sent", "expires_in": int(settings.OTP_TTL.total_seconds())}
        return Response(OtpRequestOutputSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class OtpVerifyApi(APIView):
    parser_classes = [BoundedJSONParser]
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        operation_id="auth_otp_verify",
        tags=["auth"],
        request=OtpVerifyInputSerializer,
        responses={200: OtpVerifyOutputSerializer, 400: _400, 403: _403, 429: _429},
        description="Check the code and sign in; the first sign-in of a number creates the "
        "account (with the optional name and e-mail).",
    )
    def post(self, request: Request) -> Response:
        data = OtpVerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        reporter, token = services.otp_verify(
            phone=values["phone"],
            code=values["code"],
            name=values.get("name") or None,
            email=values.get("email") or None,
        )
        body = {"token": token, "reporter": {"pseudonym": reporter.pseudonym}}
        return Response(OtpVerifyOutputSerializer(body).data, headers=NO_STORE)


class LogoutApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_logout",
        tags=["auth"],
        request=None,
        responses={204: None, 401: _401},
        description="Revoke the token this request was made with.",
    )
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, AuthToken):
            services.auth_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the citizen's own data ------------------------------------------------------------------


class MeApi(APIView):
    parser_classes = [BoundedJSONParser]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_retrieve",
        tags=["me"],
        responses={200: MeOutputSerializer, 401: _401, 404: _404},
        description="Your profile, decrypted for you only.",
    )
    def get(self, request: Request) -> Response:
        profile = selectors.reporter_profile(reporter=current_reporter(request))
        return Response(MeOutputSerializer(profile).data, headers=NO_STORE)

    @extend_schema(
        operation_id="me_update",
        tags=["me"],
        request=MeUpdateInputSerializer,
        responses={200: MeOutputSerializer, 400: _400, 401: _401, 404: _404},
    )
    def patch(self, request: Request) -> Response:
        reporter = current_reporter(request)
        data = MeUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = {field: (value or None) for field, value in data.validated_data.items()}
        services.reporter_identity_update(reporter=reporter, changes=changes)
        profile = selectors.reporter_profile(reporter=reporter)
        return Response(MeOutputSerializer(profile).data, headers=NO_STORE)

    @extend_schema(
        operation_id="me_erase",
        tags=["me"],
        request=None,
        responses={204: None, 401: _401, 404: _404},
        description="Erase your personal data (crypto-shredding) and close the account. "
        "Your reports stay, under a tombstone pseudonym.",
    )
    def delete(self, request: Request) -> Response:
        services.reporter_erase(reporter=current_reporter(request), actor=_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class InboxListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_inbox_list",
        tags=["me"],
        parameters=PAGE_PARAMETERS,
        responses={200: InboxPageOutputSerializer, 400: _400, 401: _401, 404: _404},
    )
    def get(self, request: Request) -> Response:
        reporter = current_reporter(request)
        return _paginated(
            request,
            self,
            selectors.inbox_list_for_reporter(reporter=reporter),
            InboxMessageOutputSerializer,
        )


class InboxMessageReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_inbox_read",
        tags=["me"],
        request=None,
        responses={200: InboxMessageOutputSerializer, 401: _401, 404: _404},
    )
    def post(self, request: Request, message_id: UUID) -> Response:
        message = selectors.inbox_message_get_for_reporter(
            reporter=current_reporter(request), public_id=message_id
        )
        message = services.inbox_message_mark_read(message=message)
        return Response(InboxMessageOutputSerializer(message).data)


# --- staff: reveal workflow ------------------------------------------------------------------
# Listing and granting requests. Asking and revealing are bound to a ticket and live in the
# staff ticket API (apps/triage/api/reveal_views.py): identity cannot see tickets.


class RevealRequestsApi(APIView):
    parser_classes = [BoundedJSONParser]
    permission_classes = [IsAdminUser]

    @extend_schema(
        operation_id="identity_reveal_requests_list",
        tags=["identity"],
        parameters=PAGE_PARAMETERS,
        responses={
            200: RevealRequestPageOutputSerializer,
            400: _400,
            401: _401,
            403: _403,
        },
        description="Your own requests and those of the units you supervise, newest first.",
    )
    def get(self, request: Request) -> Response:
        return _paginated(
            request,
            self,
            selectors.reveal_request_list_for_user(user=_user(request)),
            RevealRequestOutputSerializer,
        )


class RevealRequestGrantApi(APIView):
    parser_classes = [BoundedJSONParser]
    permission_classes = [IsAdminUser]

    @extend_schema(
        operation_id="identity_reveal_requests_grant",
        tags=["identity"],
        request=RevealRequestGrantInputSerializer,
        responses={200: RevealRequestOutputSerializer, 401: _401, 403: _403, 404: _404},
        description="A supervisor of the unit, other than the requester, grants the request "
        "until now + ttl_hours (default 24).",
    )
    def post(self, request: Request, request_id: UUID) -> Response:
        data = RevealRequestGrantInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hours = data.validated_data.get("ttl_hours")
        user = _user(request)
        reveal_request = services.reveal_grant(
            reveal_request=selectors.reveal_request_get_for_user(user=user, public_id=request_id),
            actor=user,
            ttl=timedelta(hours=hours) if hours else None,
        )
        return Response(RevealRequestOutputSerializer(reveal_request).data)
