"""The SLA API: area freezes (managers)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import User
from apps.core.errors import Forbidden
from apps.sla import services
from apps.sla.api.serializers import AreaFreezeCreateInputSerializer, AreaFreezeOutputSerializer


class AreaFreezeCreateApi(APIView):
    """Pause every clock inside a polygon for a period, with a reason (managers)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="sla_area_freeze_create",
        request=AreaFreezeCreateInputSerializer,
        responses={
            201: AreaFreezeOutputSerializer,
            400: OpenApiResponse(description="area_freeze_invalid / invalid"),
            403: OpenApiResponse(description="permission_denied (not a manager)"),
        },
    )
    def post(self, request: Request) -> Response:
        user = request.user
        if not isinstance(user, User) or not services.area_freeze_allowed(user=user):
            raise Forbidden(_("Only managers may freeze an area."))
        params = AreaFreezeCreateInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        freeze = services.area_freeze_create(
            actor=user,
            geojson=data["area"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            reason=data["reason"],
        )
        return Response(AreaFreezeOutputSerializer(freeze).data, status=201)
