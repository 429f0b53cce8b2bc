"""Reads for the Open311 interface (docs/open311.md).

Requests are the public, unmerged reports (``apps.reports.selectors_public``); nothing here
loads a reporter.
"""

import re
import uuid
from datetime import UTC, datetime, timedelta

from django.db.models import F, QuerySet

from apps.open311.models import ClientApp
from apps.open311.services import api_key_hash
from apps.reports.models import PUBLIC_ID_REGEX, Report
from apps.reports.selectors_public import report_list_public_detailed
from apps.routing.models import Category
from apps.routing.selectors import UnknownCategory, category_get_active

# Longer values cannot be keys we issued; refuse them before hashing anything large.
_MAX_API_KEY_LENGTH = 128
# What a service code (a category slug) and a service_request_id (a public id) look like;
# anything else cannot match and never reaches the database (NUL bytes would be a 500).
SERVICE_CODE = re.compile(r"[-a-zA-Z0-9_]{1,40}")
SERVICE_REQUEST_ID = re.compile(PUBLIC_ID_REGEX)
# The ends of the calendar Python can represent; a one-sided date window stops there.
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


def client_app_for_key(*, api_key: str) -> ClientApp | None:
    """The active client app holding ``api_key``, or None."""
    if not api_key or len(api_key) > _MAX_API_KEY_LENGTH:
        return None
    return ClientApp.objects.filter(key_hash=api_key_hash(api_key=api_key), is_active=True).first()


def service_get(*, service_code: str) -> Category | None:
    """The active category whose code is ``service_code``, or None."""
    if not SERVICE_CODE.fullmatch(service_code):
        return None
    try:
        return category_get_active(code=service_code)
    except UnknownCategory:
        return None


def _shifted(moment: datetime, delta: timedelta) -> datetime:
    """``moment + delta``, stopping at the first or last representable instant."""
    try:
        return moment + delta
    except OverflowError:
        return LATEST if delta > timedelta(0) else EARLIEST


def request_window(
    *, start: datetime | None, end: datetime | None, span: timedelta, now: datetime
) -> tuple[datetime, datetime]:
    """The ``GET requests`` date window: both ends as given; one end and ``span`` from it;
    neither, the ``span`` up to ``now``. A side that would leave the calendar (a start date in
    year 9999, an end date in year 1) stops at its edge instead of failing."""
    if start is None:
        end = now if end is None else end
        return _shifted(end, -span), end
    if end is None:
        return start, _shifted(start, span)
    return start, end


def _with_media_url(reports: QuerySet[Report]) -> QuerySet[Report]:
    return reports.annotate(client_media_url=F("open311_submission__media_url"))


def request_list(
    *,
    public_ids: list[str] | None = None,
    service_codes: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: list[str] | None = None,
) -> QuerySet[Report]:
    """Public requests matching the GeoReport v2 filters, newest first (one query), with the
    ``media_url`` their client sent, if any, as ``client_media_url``."""
    reports = _with_media_url(report_list_public_detailed())
    if public_ids:
        reports = reports.filter(public_id__in=public_ids)
    if service_codes:
        reports = reports.filter(category__code__in=service_codes)
    if start is not None:
        reports = reports.filter(created_at__gte=start)
    if end is not None:
        reports = reports.filter(created_at__lte=end)
    # A status list is a set: "open,open" is "open", "closed,open" is both (no filter).
    wanted = set(statuses or ())
    if wanted == {"open"}:
        reports = reports.filter(status__in=Report.OPEN_STATUSES)
    elif wanted == {"closed"}:
        reports = reports.filter(status__in=Report.CLOSED_STATUSES)
    return reports


def request_get(*, public_id: str) -> Report | None:
    if not SERVICE_REQUEST_ID.fullmatch(public_id):
        return None
    return _with_media_url(report_list_public_detailed()).filter(public_id=public_id).first()


def request_id_for_token(*, token: uuid.UUID) -> str | None:
    """The service_request_id created with ``token`` (any visibility: the token is a secret
    only the submitting client knows, and the answer carries no report content)."""
    return (
        Report.objects.filter(client_request_id=token, channel=Report.Channel.OPEN311)
        .values_list("public_id", flat=True)
        .first()
    )
