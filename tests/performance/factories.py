"""A small hand-countable July 2026 fixture for the performance tests."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group

from apps.accounts.models import Agency, User
from apps.accounts.roles import OrgRole
from apps.reports.models import Report, ReportEvent
from tests.factories import StaffFactory, staff_in
from tests.sla.factories import make_report

JKT = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 7, 6, 9, 0, tzinfo=JKT)


def manager() -> User:
    user = StaffFactory()
    group, _created = Group.objects.get_or_create(name=OrgRole.MANAGER.value)
    user.groups.add(group)
    return user


def status_event(
    *, report: Report, at: datetime, to_status: str, actor: User | None, agency: Agency | None
) -> ReportEvent:
    row = ReportEvent.objects.create(
        report=report, kind=ReportEvent.Kind.STATUS, to_status=to_status, actor=actor, agency=agency
    )
    ReportEvent.objects.filter(pk=row.pk).update(created_at=at)
    fields: dict[str, object] = {"status": to_status}
    if to_status == Report.Status.SELESAI:
        fields["completed_at"] = at
    if to_status == Report.Status.DIBUKA_KEMBALI:
        fields["completed_at"] = None
    Report.objects.filter(pk=report.pk).update(**fields)
    return row


def rating_event(*, report: Report, at: datetime, stars: int) -> ReportEvent:
    row = ReportEvent.objects.create(
        report=report, kind=ReportEvent.Kind.RATING, data={"rating": stars}
    )
    ReportEvent.objects.filter(pk=row.pk).update(created_at=at)
    Report.objects.filter(pk=report.pk).update(rating=stars)
    return row


@dataclass
class World:
    unit: Agency
    other: Agency
    officer: User
    on_time: list[Report]
    late: Report
    open_overdue: Report
    open_fresh: Report
    reopened: Report


def build_world() -> World:
    """Unit A (officer O): 5 completed on time (one of them reopened, one rated 5, one 2),
    1 completed late (breached), 1 open overdue (breached); unit B: 1 open, not yet due."""
    unit, other = Agency.objects.exclude(code=settings.TRIAGE_AGENCY_CODE).order_by("code")[:2]
    officer = staff_in(unit.code)
    on_time = []
    for day in range(5):
        report = make_report(created_at=T0 + timedelta(days=day), agency=unit, assignee=officer)
        status_event(
            report=report,
            at=T0 + timedelta(days=day, hours=10 * (day + 1)),
            to_status="selesai",
            actor=officer,
            agency=unit,
        )
        on_time.append(report)
    reopened = on_time[0]
    status_event(
        report=reopened,
        at=T0 + timedelta(days=1),
        to_status="dibuka_kembali",
        actor=None,
        agency=None,
    )
    status_event(
        report=reopened, at=T0 + timedelta(days=2), to_status="selesai", actor=officer, agency=unit
    )
    rating_event(report=on_time[1], at=T0 + timedelta(days=3), stars=5)
    rating_event(report=on_time[2], at=T0 + timedelta(days=4), stars=2)
    late = make_report(created_at=T0, agency=unit, assignee=officer)
    open_overdue = make_report(created_at=T0 + timedelta(hours=1), agency=unit, assignee=officer)
    from apps.reports.models import Custody

    Custody.objects.filter(report__in=[late, open_overdue]).update(officer=officer)
    # the sweep at the deadline records both breaches
    from apps.sla import services as sla_services

    sla_services.sla_sweep(now=T0 + timedelta(days=6, hours=2))
    status_event(
        report=late, at=T0 + timedelta(days=7), to_status="selesai", actor=officer, agency=unit
    )
    open_fresh = make_report(created_at=datetime(2026, 7, 30, 9, tzinfo=JKT), agency=other)
    return World(unit, other, officer, on_time, late, open_overdue, open_fresh, reopened)
