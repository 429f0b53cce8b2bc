"""A small hand-counted fixture for the dashboard (docs/dashboard.md), at a fixed moment.

NOW is Wednesday 15 July 2026, 12:00 in Jakarta; every date below is calendar arithmetic
from it and the services are given ``now=NOW`` (pages are read with the clock frozen there).

Gambir (31.71.01.1001), unit A = the Gambir kelurahan office, unit B = Suku Dinas SDA Jakpus:

====  ======  ========  =======  ====  ==============================  ================
name  filed   category  public?  unit  state                           counts as
====  ======  ========  =======  ====  ==============================  ================
g1    Jul  2  banjir    yes      A     selesai after 10 h              on time
g2    Jul  3  banjir    yes      A     selesai after 20 h              on time
g3    Jul  4  lainnya   no       A     selesai after 30 h, breached    missed
g4    Jul  5  banjir    yes      B     proses, clock due Jul 11        open, missed
g5    Jul 14  banjir    no       B     menunggu, due Jul 20            open
g6    Jun 20  banjir    yes      A     menunggu (last month)           open (not this month)
g7    Jul  6  banjir    yes      A     merged into g1                  never
t1    Jul  8  banjir    yes      B     selesai after 40 h              on time (Tebet Timur)
====  ======  ========  =======  ====  ==============================  ================
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.gis.geos import Point

from apps.accounts.models import Agency
from apps.reports.models import Report
from apps.routing.models import Area, Category
from apps.sla.models import SlaBreach, SlaClock
from tests.factories import ReporterFactory

JKT = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 7, 15, 12, 0, tzinfo=JKT)
GAMBIR, TEBET_TIMUR = "31.71.01.1001", "31.74.01.1001"
UNIT_A, UNIT_B = "KELURAHAN-31.71.01.1001", "DINAS-SDA-31.71"
# Inside Gambir; the private reports' points are ones no public output may ever print.
PUBLIC_POINTS = {
    "g1": (106.8272, -6.1754),
    "g2": (106.8240, -6.1720),
    "g4": (106.8195, -6.1780),
    "g6": (106.8250, -6.1760),
    "g7": (106.8272, -6.1754),
    "t1": (106.8543, -6.2366),
}
PRIVATE_POINTS = {"g3": (106.8301, -6.1795), "g5": (106.8313, -6.1788)}


@dataclass
class World:
    reports: dict[str, Report]


def _report(
    *,
    day: datetime,
    category: str,
    public: bool,
    unit: str,
    point: tuple[float, float],
    area: str = GAMBIR,
    status: str = Report.Status.MENUNGGU,
    completed_after_h: int | None = None,
    parent: Report | None = None,
) -> Report:
    report = Report.objects.create(
        public_id="LW-"
        + "".join(secrets.choice("23456789ABCDEFGHJKMNPQRSTUVWXYZ") for _ in "123456"),
        client_request_id=uuid.uuid4(),
        request_fingerprint="0" * 64,
        reporter=ReporterFactory(),
        category=Category.objects.get(code=category),
        description="Laporan uji dasbor",
        location=Point(*point, srid=4326),
        occurred_at=day,
        is_public=public,
        area=Area.objects.get(code=area),
        agency=Agency.objects.get(code=unit),
        status=status,
        provisional_due_at=day + timedelta(days=6),
        parent=parent,
    )
    fields: dict[str, object] = {"created_at": day}
    if completed_after_h is not None:
        fields["completed_at"] = day + timedelta(hours=completed_after_h)
    Report.objects.filter(pk=report.pk).update(**fields)
    report.refresh_from_db()
    return report


def _clock(report: Report, *, breached: bool = False) -> SlaClock:
    clock = SlaClock.objects.create(
        report=report,
        target=6,
        unit="calendar_days",
        started_at=report.created_at,
        due_at=report.created_at + timedelta(days=6),
        state=SlaClock.State.STOPPED if report.completed_at else SlaClock.State.RUNNING,
        stopped_at=report.completed_at,
        breached_at=report.created_at + timedelta(days=6) if breached else None,
        computed_at=NOW,
    )
    if breached:
        due = report.created_at + timedelta(days=6)
        SlaBreach.objects.create(
            clock=clock,
            report=report,
            cycle=1,
            due_at=due,
            rule=SlaBreach.Rule.HOLDER_AT_DEADLINE,
            agency=report.agency,
            created_at=due,
        )
    return clock


def day(month: int, d: int, hour: int = 9) -> datetime:
    return datetime(2026, month, d, hour, 0, tzinfo=JKT)


def build_world() -> World:
    done = Report.Status.SELESAI
    r: dict[str, Report] = {}
    r["g1"] = _report(day=day(7, 2), category="banjir", public=True, unit=UNIT_A,
                      point=PUBLIC_POINTS["g1"], status=done, completed_after_h=10)  # fmt: skip
    r["g2"] = _report(day=day(7, 3), category="banjir", public=True, unit=UNIT_A,
                      point=PUBLIC_POINTS["g2"], status=done, completed_after_h=20)  # fmt: skip
    r["g3"] = _report(day=day(7, 4), category="lainnya", public=False, unit=UNIT_A,
                      point=PRIVATE_POINTS["g3"], status=done, completed_after_h=30)  # fmt: skip
    r["g4"] = _report(day=day(7, 5), category="banjir", public=True, unit=UNIT_B,
                      point=PUBLIC_POINTS["g4"], status=Report.Status.PROSES)  # fmt: skip
    r["g5"] = _report(day=day(7, 14), category="banjir", public=False, unit=UNIT_B,
                      point=PRIVATE_POINTS["g5"])  # fmt: skip
    r["g6"] = _report(day=day(6, 20), category="banjir", public=True, unit=UNIT_A,
                      point=PUBLIC_POINTS["g6"])  # fmt: skip
    r["g7"] = _report(day=day(7, 6), category="banjir", public=True, unit=UNIT_A,
                      point=PUBLIC_POINTS["g7"], parent=r["g1"])  # fmt: skip
    r["t1"] = _report(day=day(7, 8), category="banjir", public=True, unit=UNIT_B,
                      point=PUBLIC_POINTS["t1"], area=TEBET_TIMUR, status=done,
                      completed_after_h=40)  # fmt: skip
    for name in ("g1", "g2", "g5", "t1"):
        _clock(r[name])
    _clock(r["g3"], breached=True)
    _clock(r["g4"])  # due Jul 11, still running at NOW: overdue, not yet swept
    return World(reports=r)
