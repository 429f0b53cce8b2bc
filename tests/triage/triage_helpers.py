"""Helpers for the triage tests: tickets placed at a unit, officers, after-photos."""

from typing import Any

from django.contrib.gis.geos import Point

from apps.accounts.models import Agency, User
from apps.reports.models import Custody, Report
from tests.conftest import MONAS
from tests.factories import staff_in
from tests.reports.factories import citizen, file_report, jpeg_with_exif, upload

SDA_JAKPUS = "DINAS-SDA-31.71"
SDA_JAKSEL = "DINAS-SDA-31.74"
SDA = "DINAS-SDA"
BINA_MARGA_JAKPUS = "DINAS-BINAMARGA-31.71"
GAMBIR = "KELURAHAN-31.71.01.1001"
TRIAGE = "DISKOMINFOTIK-TRIASE"


def agency(code: str) -> Agency:
    return Agency.objects.get(code=code)


def ticket(*, at: str | None = None, location: Point = MONAS, **kwargs: Any) -> Report:
    """A fresh report (banjir at Monas → Suku Dinas SDA Jakarta Pusat), optionally moved."""
    report = file_report(
        reporter=kwargs.pop("reporter", None) or citizen(), location=location, **kwargs
    ).report
    if at is not None and report.agency.code != at:
        unit = agency(at)
        Report.objects.filter(pk=report.pk).update(agency=unit)
        Custody.objects.filter(report=report).update(agency=unit)
        report.refresh_from_db()
    return report


def officer(code: str = SDA_JAKPUS, role: str = "officer") -> User:
    return staff_in(code, role)


def after_photo(*, gps: tuple[float, float] | None = None, taken: str | None = None) -> Any:
    return upload(jpeg_with_exif(gps=gps, taken=taken), name="after.jpg")


def near(point: Point, metres_north: float) -> tuple[float, float]:
    """(lon, lat) about ``metres_north`` metres north of ``point``."""
    return (point.x, point.y + metres_north / 111_320)


def custody_rows(report: Report) -> list[tuple[str, str | None, bool]]:
    return [
        (c.agency.code, c.officer.username if c.officer else None, c.ended_at is None)
        for c in Custody.objects.filter(report=report)
        .select_related("agency", "officer")
        .order_by("started_at", "pk")
    ]
