"""The report shapes are rendered by hand (``_report_common`` and the serializers'
``to_representation``) for speed; they must equal DRF's field-by-field rendering of the
declared fields, which is also what the OpenAPI schema describes, for every kind of report."""

import uuid
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import translation
from rest_framework import serializers
from rest_framework.request import Request

from apps.identity.models import Reporter
from apps.reports import selectors
from apps.reports.api.serializers import (
    ReportCreateOutputSerializer,
    ReportDetailOutputSerializer,
    ReportPublicOutputSerializer,
)
from apps.reports.models import Report
from apps.reports.services import report_confirm, report_create
from apps.routing.models import Category
from apps.routing.selectors_address import kelurahan_for_address
from tests.reports.factories import complete, file_report, image_bytes, upload

pytestmark = pytest.mark.django_db


def _request() -> Request:
    return Request(RequestFactory().get("/", HTTP_HOST="testserver"))


def _generic(serializer: serializers.Serializer) -> dict[str, Any]:
    """DRF's own rendering: every declared field, one by one."""
    return dict(serializers.ModelSerializer.to_representation(serializer, serializer.instance))


def _assert_same(report: Report) -> None:
    context = {"request": _request()}
    for cls in (ReportDetailOutputSerializer, ReportPublicOutputSerializer):
        serializer = cls(report, context=context)
        rendered = serializer.data
        assert rendered == _generic(serializer)
        assert list(rendered) == list(cls.Meta.fields)  # the schema's order, every field
    created = ReportCreateOutputSerializer(report, context=context).data
    assert created == _generic(ReportDetailOutputSerializer(report, context=context))


def _reread(report: Report, reporter: Reporter) -> Report:
    return selectors.report_get_for_reporter(public_id=report.public_id, reporter=reporter)


def test_an_anonymous_report_just_filed_with_photos() -> None:
    result = file_report(
        reporter=None,
        accuracy_m=8,
        address_hint="Depan halte",
        photos=[upload(image_bytes()), upload(image_bytes(color=(1, 2, 3)))],
    )
    report = result.report
    _assert_same(report)  # as the view answers it: relations loaded, photos just stored
    assert (
        len(ReportDetailOutputSerializer(report, context={"request": _request()}).data["photos"])
        == 2
    )

    body = ReportCreateOutputSerializer(
        report, context={"request": _request(), "tracking_code": result.tracking_code}
    ).data
    assert body["tracking_code"] == result.tracking_code
    assert list(body)[-1] == "tracking_code"


def test_a_rated_report_of_a_signed_in_citizen_in_both_languages(reporter: Reporter) -> None:
    report = file_report(reporter=reporter, is_public=False).report
    complete(report)
    report = report_confirm(
        report=_reread(report, reporter), reporter=reporter, rating=4, comment="Cepat"
    )
    report = _reread(report, reporter)
    assert report.rating == 4
    assert report.closed_at is not None
    for language in ("id", "en"):
        with translation.override(language):
            _assert_same(report)


def _filed_by_address(address: str) -> Report:
    """An Open311 report placed by its address alone (docs/open311.md)."""
    return report_create(
        reporter=None,
        category=Category.objects.get(code="banjir"),
        location=None,
        address=kelurahan_for_address(address=address),
        description="Genangan",
        client_request_id=uuid.uuid4(),
        channel=Report.Channel.OPEN311,
    ).report


def test_reports_without_an_exact_point_or_without_an_area() -> None:
    by_address = _filed_by_address("Gambir, Jakarta Pusat")
    assert not by_address.location_is_exact
    _assert_same(by_address)
    assert ReportPublicOutputSerializer(by_address).data["location"] is None

    to_triage = _filed_by_address("zzzz tidak ada")
    assert to_triage.area is None
    _assert_same(to_triage)
    assert ReportPublicOutputSerializer(to_triage).data["area"] is None


def test_reports_read_back_by_the_selectors(reporter: Reporter) -> None:
    report = file_report(reporter=reporter, photos=[upload(image_bytes())]).report
    reread = _reread(report, reporter)
    _assert_same(reread)
    visible, own = selectors.report_get_visible(public_id=report.public_id, reporter=None)
    assert not own
    _assert_same(visible)
