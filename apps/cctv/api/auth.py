"""VMS clients authenticate with ``Authorization: Api-Key <key>`` (only its hash is stored)."""

import secrets
from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from apps.cctv.models import Vms
from apps.cctv.services import key_hash

KEYWORD = b"api-key"


class VmsKeyAuthentication(BaseAuthentication):
    """``request.auth`` is the ``Vms``; ``request.user`` stays anonymous (a machine, no user)."""

    def authenticate(self, request: Request) -> tuple[Any, Vms] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed()
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed() from None
        digest = key_hash(key)
        vms = Vms.objects.filter(key_hash=digest, is_active=True).first()
        # The lookup is by the hash's unique index; the comparison below is constant-time.
        if vms is None or not secrets.compare_digest(vms.key_hash, digest):
            raise exceptions.AuthenticationFailed()
        return AnonymousUser(), vms

    def authenticate_header(self, request: Request) -> str:
        return "Api-Key"


class IsVms(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, Vms)


class IsVmsOrStaff(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if isinstance(request.auth, Vms):
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_staff)


class VmsKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apps.cctv.api.auth.VmsKeyAuthentication"
    name = "vmsApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`: a video management system's key.",
        }
