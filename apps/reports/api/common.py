"""What the citizen report API's views share: who the caller is, the error responses they
document, and the reporter's action on their own report (docs/api.md)."""

from collections.abc import Callable
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from apps.core.api.schema import error_response
from apps.core.api.text_input import validated_input
from apps.identity.models import Reporter
from apps.identity.selectors import reporter_for_user
from apps.reports import selectors
from apps.reports.api.serializers import (
    ReportDetailOutputSerializer,
)
from apps.reports.errors import NotAReporter
from apps.reports.models import Report

ERRORS = {
    400: error_response("Invalid input (code `invalid`; `fields` names each field)."),
    401: error_response("Missing or invalid token."),
    404: error_response("No such report, or not yours."),
}
NOT_FOUND = {404: error_response("No such report, or not visible to you.")}


def reporter_of(request: Request) -> Reporter | None:
    return reporter_for_user(user=request.user)  # type: ignore[arg-type]


def required_reporter(request: Request) -> Reporter:
    reporter = reporter_of(request)
    if reporter is None:
        raise NotAReporter()
    return reporter


def detail_body(report: Report, request: Request) -> dict[str, Any]:
    return dict(ReportDetailOutputSerializer(report, context={"request": request}).data)


def reload_for_owner(report: Report, reporter: Reporter) -> Report:
    return selectors.report_get_for_reporter(public_id=report.public_id, reporter=reporter)


def reporter_action(
    request: Request,
    public_id: str,
    input_serializer: type[Serializer],
    act: Callable[[Report, Reporter, dict[str, Any]], Report],
) -> Response:
    """The reporter's own action on their report: find it (404 if not theirs), validate the
    body, call the service, answer the report as it is now."""
    reporter = reporter_of(request)
    report = selectors.report_get_for_reporter(public_id=public_id, reporter=reporter)
    params = validated_input(request, input_serializer)
    assert reporter is not None  # noqa: S101 - the selector refuses None
    report = act(report, reporter, params)
    return Response(detail_body(reload_for_owner(report, reporter), request))
