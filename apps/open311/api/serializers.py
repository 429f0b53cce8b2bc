"""Input validation and output rows for Open311 GeoReport v2 (docs/open311.md)."""

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.validators import URLValidator
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from rest_framework import serializers

from apps.open311.api.renderers import open311_datetime
from apps.open311.catalogue import category_name, parse_w3c_datetime
from apps.open311.selectors import SERVICE_CODE, SERVICE_REQUEST_ID
from apps.reports.models import Report
from apps.reports.selectors_public import report_is_open, report_public_address
from apps.reports.services import OPEN311_DESCRIPTION_MAX

# GeoReport v2: a query returns at most 1,000 requests over at most 90 days.
MAX_REQUESTS = 1000
MAX_SPAN_DAYS = 90


def _finite(value: float) -> None:
    if not math.isfinite(value):
        raise serializers.ValidationError("Must be a finite number.")


class Open311RequestCreateInputSerializer(serializers.Serializer):
    """``POST requests``: GeoReport v2 form fields (``attribute[...]`` are read separately)."""

    jurisdiction_id = serializers.CharField(required=False, allow_blank=True, max_length=100)
    service_code = serializers.CharField(max_length=40)
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90, validators=[_finite])
    long = serializers.FloatField(
        required=False, min_value=-180, max_value=180, validators=[_finite]
    )
    address_string = serializers.CharField(required=False, allow_blank=True, max_length=300)
    address_id = serializers.CharField(required=False, allow_blank=True, max_length=100)
    # GeoReport v2: optional, up to 4,000 characters (the app's own API keeps its rules).
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=OPEN311_DESCRIPTION_MAX
    )
    # A picture the client hosts: an absolute http(s) URL, stored and returned, never fetched.
    media_url = serializers.URLField(
        required=False,
        allow_blank=True,
        max_length=2000,
        validators=[URLValidator(schemes=["http", "https"])],
    )
    # Reporter contact details: never printed by any Open311 response (docs/open311.md).
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    device_id = serializers.CharField(required=False, allow_blank=True, max_length=200)
    account_id = serializers.CharField(required=False, allow_blank=True, max_length=200)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Django decodes form fields with errors="replace": bytes that are not UTF-8 (a lone
        # surrogate's only byte form among them) arrive as U+FFFD and are refused rather than
        # stored as altered text.
        for name, value in attrs.items():
            if isinstance(value, str) and "\ufffd" in value:
                raise serializers.ValidationError({name: ["Not valid UTF-8 text."]})
        has_lat, has_long = attrs.get("lat") is not None, attrs.get("long") is not None
        if has_lat != has_long:
            raise serializers.ValidationError(
                {"lat/long": ["Send both lat and long (WGS84 decimal degrees), or neither."]}
            )
        address = attrs.get("address_string", "").strip() or attrs.get("address_id", "").strip()
        if not has_lat and not address:
            raise serializers.ValidationError(
                {
                    "lat/long": [
                        "A location is required: lat and long (WGS84), address_string "
                        "or address_id."
                    ]
                }
            )
        return attrs


def _csv(value: str, *, max_items: int, max_length: int) -> list[str]:
    items = [item.strip() for item in value.split(",") if item.strip()]
    if len(items) > max_items:
        raise serializers.ValidationError(f"At most {max_items} values.")
    if any(len(item) > max_length for item in items):
        raise serializers.ValidationError(f"Values are at most {max_length} characters.")
    return items


class _W3CDateTimeField(serializers.Field):
    """A W3C datetime with a zone (or a date, meaning midnight UTC)."""

    def to_internal_value(self, data: Any) -> datetime:
        if not isinstance(data, str) or len(data) > 40:
            raise serializers.ValidationError("Use a W3C datetime, at most 40 characters.")
        try:
            return parse_w3c_datetime(data)
        except ValueError:
            raise serializers.ValidationError(
                "Use a W3C datetime with a time zone, e.g. 2025-01-31T00:00:00Z."
            ) from None

    def to_representation(self, value: datetime) -> str:
        return open311_datetime(value)


class Open311RequestListInputSerializer(serializers.Serializer):
    """``GET requests`` filters. A list filter may be a comma list, repeated, or both
    (``status=open&status=closed`` is ``status=open,closed``): see ``list_query``."""

    LIST_FIELDS = ("service_request_id", "service_code", "status")

    @classmethod
    def list_query(cls, query: QueryDict) -> dict[str, str]:
        """The query string as this serializer's data: repeats of a list filter joined with
        commas, the last value of any other parameter."""
        return {
            key: ",".join(str(value) for value in query.getlist(key))
            if key in cls.LIST_FIELDS
            else str(query[key])
            for key in query
        }

    jurisdiction_id = serializers.CharField(required=False, allow_blank=True, max_length=100)
    service_request_id = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    service_code = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    start_date = _W3CDateTimeField(required=False)
    end_date = _W3CDateTimeField(required=False)
    status = serializers.CharField(required=False, allow_blank=True, max_length=20)

    def validate_service_request_id(self, value: str) -> list[str]:
        ids = _csv(value, max_items=MAX_REQUESTS, max_length=20)
        if any(not SERVICE_REQUEST_ID.fullmatch(item) for item in ids):
            raise serializers.ValidationError("Use public ids such as LW-7K3QX9.")
        return ids

    def validate_service_code(self, value: str) -> list[str]:
        codes = _csv(value, max_items=50, max_length=40)
        if any(not SERVICE_CODE.fullmatch(code) for code in codes):
            raise serializers.ValidationError("Use service codes from services.json.")
        return codes

    def validate_status(self, value: str) -> list[str]:
        # A set: a repeated value counts once ("open,open" is "open"); the field's max_length
        # bounds the list.
        statuses = list(dict.fromkeys(_csv(value.lower(), max_items=20, max_length=10)))
        if any(status not in ("open", "closed") for status in statuses):
            raise serializers.ValidationError("Use open, closed or open,closed.")
        return statuses

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if start is not None and end is not None:
            if start > end:
                raise serializers.ValidationError(
                    {"start_date": ["start_date must not be after end_date."]}
                )
            if end - start > timedelta(days=MAX_SPAN_DAYS):
                raise serializers.ValidationError(
                    {"end_date": [f"start_date to end_date may span at most {MAX_SPAN_DAYS} days."]}
                )
        return attrs


def _media_url(report: Report, request: HttpRequest) -> str | None:
    """The public thumbnail of the report's first photo; else the ``media_url`` the client
    sent (annotated by ``apps.open311.selectors.request_list``)."""
    if getattr(report, "has_photo", False):
        path = reverse("report-public-thumbnail", kwargs={"public_id": report.public_id})
        return request.build_absolute_uri(path)
    return getattr(report, "client_media_url", None) or None


def request_row(report: Report, request: HttpRequest) -> dict[str, Any]:
    """One ``<request>`` of ``GET requests``. Empty values are dropped by the caller's renderer.

    Only public facts: no reporter, pseudonym, contact, photo metadata or routing internals.
    """
    point = report.location if report.location_is_exact else None
    due = report.deadline()  # the SLA clock's (selectors_public annotates it)
    row: dict[str, Any] = {
        "service_request_id": report.public_id,
        "status": "open" if report_is_open(report=report) else "closed",
        "status_notes": f"{report.status}: {report.get_status_display()}",
        "service_name": category_name(report.category),
        "service_code": report.category.code,
        "description": report.description,
        "agency_responsible": report.agency.name,
        "requested_datetime": open311_datetime(report.created_at),
        "updated_datetime": open311_datetime(report.updated_at),
        "expected_datetime": (
            open311_datetime(due) if report_is_open(report=report) and due else None
        ),
        "address": report_public_address(report=report),
        "zipcode": report.area.postal_code if report.area is not None else None,
        # Only reported coordinates: a report filed by address has none (docs/open311.md).
        "lat": point.y if point is not None else None,
        "long": point.x if point is not None else None,
        "media_url": _media_url(report, request),
    }
    return drop_empty(row)


def drop_empty(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if value is not None and value != ""}
