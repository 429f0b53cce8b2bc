"""The VMS API under /api/v1/cctv/ (docs/cctv.md): one APIView per operation."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.cctv import selectors, services
from apps.cctv.api.auth import IsVms, IsVmsOrStaff, VmsKeyAuthentication
from apps.cctv.api.serializers import (
    CctvCameraOutputSerializer,
    CctvCameraPageOutputSerializer,
    CctvClipIngestInputSerializer,
    CctvClipIngestOutputSerializer,
    CctvClipRequestOutputSerializer,
    CctvClipRequestPageOutputSerializer,
    CctvHeartbeatInputSerializer,
    clip_payload,
)
from apps.cctv.models import Camera, Vms
from apps.core.api.schema import error_response
from apps.core.errors import ApplicationError, NotFound
from apps.core.pagination import Pagination
from apps.routing.models import Area

_ERRORS = {
    400: error_response("Invalid input."),
    401: error_response("Missing or invalid `Api-Key`."),
    403: error_response("Not a VMS (or, where staff may read, not a staff account)."),
}


class _VmsApi(APIView):
    authentication_classes = [VmsKeyAuthentication]
    permission_classes = [IsVms]

    def vms(self) -> Vms:
        assert isinstance(self.request.auth, Vms)  # noqa: S101 - IsVms checked it
        return self.request.auth


class CctvCameraListApi(APIView):
    """A VMS sees its own cameras; staff see every camera (``?status=``, ``?kota=31.71``)."""

    authentication_classes = [VmsKeyAuthentication, *APIView.authentication_classes]
    permission_classes = [IsVmsOrStaff]

    @extend_schema(
        operation_id="cctv_cameras_list",
        parameters=[
            OpenApiParameter("status", str, enum=Camera.Status.values),
            OpenApiParameter("kota", str, description="A kota code, e.g. 31.71"),
        ],
        responses={200: CctvCameraPageOutputSerializer, **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        cameras: QuerySet[Camera]
        if isinstance(request.auth, Vms):
            cameras = selectors.camera_list_for_vms(vms=request.auth)
        else:
            cameras = selectors.camera_list()
        status = request.query_params.get("status")
        if status is not None:
            if status not in Camera.Status.values:
                raise ApplicationError(fields={"status": ["Unknown status."]})
            cameras = cameras.filter(status=status)
        kota = request.query_params.get("kota")
        if kota is not None:
            if (
                len(kota) != Area.CODE_LENGTH[Area.Level.KOTA]
                or not kota.replace(".", "").isdigit()
            ):
                raise ApplicationError(fields={"kota": ["A kota code such as 31.71."]})
            cameras = cameras.filter(kelurahan__code__startswith=f"{kota}.")
        paginator = Pagination()
        page = paginator.paginate_queryset(cameras.defer("kelurahan__boundary"), request, view=self)
        return paginator.get_paginated_response(CctvCameraOutputSerializer(page, many=True).data)


class CctvClipIngestApi(_VmsApi):
    @extend_schema(
        operation_id="cctv_clips_ingest",
        request=CctvClipIngestInputSerializer,
        responses={
            200: CctvClipIngestOutputSerializer,
            201: CctvClipIngestOutputSerializer,
            404: error_response("The one clip sent names an unknown camera or another VMS's."),
            **_ERRORS,
        },
        description=(
            "Up to 1,000 clip references, each with its own result (201 created, 200 a "
            "duplicate by camera + start + sha256, 400 invalid, 404 unknown camera). With "
            "one clip the HTTP status is that clip's (an error in the error shape); with more, "
            "200 and the per-clip results."
        ),
    )
    def post(self, request: Request) -> Response:
        data: Any = request.data
        clips = data.get("clips") if isinstance(data, dict) else None
        if not isinstance(clips, list):
            raise ApplicationError(fields={"clips": ["A list of 1 to 1000 clips."]})
        result = services.clips_ingest(vms=self.vms(), items=clips)
        codes = dict(
            Camera.objects.filter(
                pk__in={item.clip.camera_id for item in result.items if item.clip}
            ).values_list("pk", "code")
        )
        rows = []
        for item in result.items:
            row: dict[str, Any] = {"index": item.index, "status": item.status}
            if item.clip is not None:
                row["clip"] = clip_payload(item.clip, codes[item.clip.camera_id])
            if item.error is not None:
                row["error"] = item.error
            rows.append(row)
        if len(rows) == 1 and rows[0]["status"] >= 400:
            only = result.items[0]
            assert only.error is not None  # noqa: S101 - refusals carry their error
            if only.status == 404:
                raise NotFound(only.error["message"])
            raise ApplicationError(fields=only.error["fields"])
        body = {
            "created": result.count(201),
            "duplicates": result.count(200),
            "rejected": len(rows) - result.count(201) - result.count(200),
            "results": rows,
        }
        status = rows[0]["status"] if len(rows) == 1 else 200
        return Response(body, status=status)


class CctvCameraHeartbeatApi(_VmsApi):
    @extend_schema(
        operation_id="cctv_camera_heartbeat",
        request=CctvHeartbeatInputSerializer,
        responses={
            200: CctvCameraOutputSerializer,
            404: error_response("No such camera of this VMS."),
            **_ERRORS,
        },
    )
    def post(self, request: Request, code: str) -> Response:
        camera = selectors.camera_get_for_vms(vms=self.vms(), code=code)
        serializer = CctvHeartbeatInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        camera = services.camera_heartbeat(
            camera=camera, status=serializer.validated_data["status"]
        )
        return Response(CctvCameraOutputSerializer(camera).data)


class CctvClipRequestListApi(_VmsApi):
    @extend_schema(
        operation_id="cctv_clip_requests_list",
        responses={200: CctvClipRequestPageOutputSerializer, **_ERRORS},
        description="The footage we need from this VMS's cameras and do not have yet.",
    )
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.clip_requests_open_for_vms(vms=self.vms()), request, view=self
        )
        return paginator.get_paginated_response(
            CctvClipRequestOutputSerializer(page, many=True).data
        )
