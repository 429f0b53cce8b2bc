"""Helpers for the Open311 and public-feed tests: client apps, reports filed through the
real service, and parsers for the GeoReport v2 XML documents."""

import io
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.identity.models import Reporter
from apps.open311.models import ClientApp
from apps.open311.services import client_app_create
from apps.reports.models import Report
from apps.reports.services import report_create
from apps.routing.models import Category
from tests.conftest import MONAS

OPEN311_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def client_app(name: str = "Aplikasi Kota") -> tuple[ClientApp, str]:
    return client_app_create(name=name)


def jpeg_upload(size: tuple[int, int] = (640, 480), name: str = "foto.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def file_report(
    *,
    reporter: Reporter | None = None,
    category: str = "banjir",
    location: Point = MONAS,
    description: str = "Genangan setinggi lutut di depan halte",
    **kwargs: Any,
) -> Report:
    return report_create(
        reporter=reporter,
        category=Category.objects.get(code=category),
        location=location,
        description=description,
        client_request_id=kwargs.pop("client_request_id", uuid.uuid4()),
        **kwargs,
    ).report


def xml_root(content: bytes) -> ET.Element:
    assert content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(content)  # noqa: S314 - our own output, in a test


def walk(element: ET.Element) -> Iterator[ET.Element]:
    yield element
    for child in element:
        yield from walk(child)


def assert_no_empty_elements(root: ET.Element) -> None:
    for element in walk(root):
        has_text = element.text is not None and element.text.strip() != ""
        assert has_text or len(element) > 0, f"empty element <{element.tag}>"


def xml_rows(root: ET.Element) -> list[dict[str, str]]:
    """``<service_requests><request><a>1</a>…`` → ``[{"a": "1", …}]`` (leaf children)."""
    return [{child.tag: child.text or "" for child in row if len(child) == 0} for row in root]
