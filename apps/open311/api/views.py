"""Open311 GeoReport v2 (docs/open311.md): discovery, services, requests, tokens.

The format is the URL suffix (``.json`` or ``.xml``). These views are outside the OpenAPI
schema (they follow the GeoReport v2 specification instead) and answer errors in its shape
``[{"code": 400, "description": "..."}]`` (``get_exception_handler``).
"""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.open311 import selectors
from apps.open311.api.handlers import (
    REQUEST_TOO_LARGE,
    Open311Error,
    error_response,
    open311_exception_handler,
    rendered_error,
)
from apps.open311.api.negotiation import SuffixContentNegotiation
from apps.open311.api.renderers import Open311JsonRenderer, Open311XmlRenderer, open311_datetime
from apps.open311.api.serializers import (
    MAX_REQUESTS,
    MAX_SPAN_DAYS,
    Open311RequestCreateInputSerializer,
    Open311RequestListInputSerializer,
    request_row,
)
from apps.open311.catalogue import (
    InvalidAttribute,
    parse_attributes,
    service_definition,
    service_row,
)
from apps.open311.services import ReporterContact, open311_request_create
from apps.routing.selectors import category_list_active

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ["text/xml", "application/json"]
# When this interface (its endpoints and formats) last changed.
CHANGESET = datetime(2025, 1, 1, tzinfo=UTC)
MAX_PHOTOS = 1


@extend_schema(exclude=True)
class Open311Api(APIView):
    """Common set-up: no session/token authentication (the api_key is a form field), the
    suffix picks the renderer, errors in the GeoReport v2 shape."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    renderer_classes = [Open311JsonRenderer, Open311XmlRenderer]
    content_negotiation_class = SuffixContentNegotiation  # the suffix wins over Accept
    parser_classes = [FormParser, MultiPartParser]
    metadata_class = None  # no OPTIONS introspection document: a 405 like other methods
    xml_root = "response"

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return open311_exception_handler

    @classmethod
    def request_too_large(cls, request: HttpRequest, **url_kwargs: Any) -> HttpResponse:
        """The 413 of ``apps.core.middleware.BodySizeLimitMiddleware``, in this shape."""
        return rendered_error(413, REQUEST_TOO_LARGE, format=url_kwargs.get("format"))


class Open311DiscoveryApi(Open311Api):
    xml_root = "discovery"

    def get(self, request: Request, format: str) -> Response:
        # Without a trailing slash, as in the specification's examples: clients append
        # "/services.xml" to it (a doubled slash is answered as well: apps/open311/urls.py).
        base_url = request.build_absolute_uri("/open311/v2")
        endpoints = [
            {
                "specification": SPECIFICATION,
                "url": base_url,
                "changeset": open311_datetime(CHANGESET),
                "type": "production",
                "formats": FORMATS,
            },
            {
                "specification": SPECIFICATION,
                "url": settings.OPEN311_TEST_URL.rstrip("/") or base_url,
                "changeset": open311_datetime(CHANGESET),
                "type": "test",
                "formats": FORMATS,
            },
        ]
        return Response(
            {
                "changeset": open311_datetime(CHANGESET),
                "contact": settings.OPEN311_CONTACT,
                "key_service": settings.OPEN311_KEY_SERVICE,
                "endpoints": endpoints,
            }
        )


class Open311ServiceListApi(Open311Api):
    xml_root = "services"

    def get(self, request: Request, format: str) -> Response:
        return Response([service_row(category) for category in category_list_active()])


class Open311ServiceDefinitionApi(Open311Api):
    xml_root = "service_definition"

    def get(self, request: Request, service_code: str, format: str) -> Response:
        category = selectors.service_get(service_code=service_code)
        if category is None:
            raise Open311Error(404, f"service_code {service_code[:40]!r} not found.")
        return Response(service_definition(category))


class Open311RequestsApi(Open311Api):
    """``GET requests`` (search) and ``POST requests`` (create) share one URL."""

    xml_root = "service_requests"

    def get(self, request: Request, format: str) -> Response:
        params = Open311RequestListInputSerializer(
            data=Open311RequestListInputSerializer.list_query(request.query_params)
        )
        params.is_valid(raise_exception=True)
        data = params.validated_data
        ids = data.get("service_request_id") or []
        if ids:
            # GeoReport v2: with service_request_id, the other filters are ignored.
            reports = selectors.request_list(public_ids=ids)
        else:
            start, end = selectors.request_window(
                start=data.get("start_date"),
                end=data.get("end_date"),
                span=timedelta(days=MAX_SPAN_DAYS),
                now=timezone.now(),
            )
            reports = selectors.request_list(
                service_codes=data.get("service_code") or None,
                start=start,
                end=end,
                statuses=data.get("status") or None,
            )
        rows = [request_row(report, request) for report in reports[:MAX_REQUESTS]]
        return Response(rows)

    def post(self, request: Request, format: str) -> Response:
        # The spec sends api_key with the form; some clients put it in the query string.
        api_key = request.data.get("api_key") or request.query_params.get("api_key") or ""
        client = selectors.client_app_for_key(api_key=str(api_key))
        if client is None:
            raise Open311Error(403, "api_key is missing or invalid.")
        params = Open311RequestCreateInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        category = selectors.service_get(service_code=data["service_code"])
        if category is None:  # GeoReport v2 lists 404 among the POST errors for this
            raise Open311Error(404, f"service_code {data['service_code'][:40]!r} not found.")
        try:
            attributes = parse_attributes(request.data)
        except InvalidAttribute as exc:
            raise Open311Error(400, str(exc)) from None
        photos = request.FILES.getlist("media")
        if len(photos) > MAX_PHOTOS or len(request.FILES) > len(photos):
            raise Open311Error(400, f"Send at most {MAX_PHOTOS} photo, in the field 'media'.")
        has_point = data.get("lat") is not None
        result = open311_request_create(
            client=client,
            category=category,
            location=Point(data["long"], data["lat"], srid=4326) if has_point else None,
            address_id=data.get("address_id", "").strip(),
            media_url=data.get("media_url", ""),
            description=data.get("description", ""),
            address=data.get("address_string", "").strip(),
            occurred_at=attributes.occurred_at,
            is_public=attributes.is_public,
            photos=photos,
            contact=ReporterContact(
                email=data.get("email", ""),
                phone=data.get("phone", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                device_id=data.get("device_id", ""),
                account_id=data.get("account_id", ""),
            ),
        )
        report = result.report
        # Created synchronously: the id, and no token (GeoReport v2 returns one or the other).
        target = report.deadline() or report.provisional_due_at  # a new report has no clock yet
        row = {
            "service_request_id": report.public_id,
            "service_notice": f"{report.agency.name}; target: {open311_datetime(target)}",
        }
        return Response([row], status=200)


class Open311RequestDetailApi(Open311Api):
    xml_root = "service_requests"

    def get(self, request: Request, service_request_id: str, format: str) -> Response:
        report = selectors.request_get(public_id=service_request_id)
        if report is None:
            raise Open311Error(404, f"service_request_id {service_request_id[:20]!r} not found.")
        return Response([request_row(report, request)])  # a list, as the spec shows


class Open311TokenApi(Open311Api):
    """Requests are created synchronously, so a token resolves at once to its request."""

    xml_root = "service_requests"

    def get(self, request: Request, token: str, format: str) -> Response:
        try:
            key = uuid.UUID(token)
        except ValueError:
            raise Open311Error(404, "token not found.") from None
        public_id = selectors.request_id_for_token(token=key)
        if public_id is None:
            raise Open311Error(404, "token not found.")
        return Response([{"service_request_id": public_id, "token": str(key)}])


class Open311NotFoundApi(Open311Api):
    """Anything else under /open311/: a 404 in the GeoReport v2 shape."""

    def _not_found(self, request: Request, format: str = "json", **kwargs: Any) -> Response:
        return error_response(404, "No such Open311 resource. See /open311/discovery.json.")

    get = post = put = patch = delete = _not_found
