"""Reports, events and custody rows for SLA tests, written directly (test set-up)."""

import secrets
import uuid
from datetime import datetime, timedelta

from apps.accounts.models import Agency, User
from apps.reports.models import Custody, Report, ReportEvent
from apps.routing.models import Area, Category
from tests.conftest import MONAS
from tests.factories import ReporterFactory


def make_report(
    *,
    created_at: datetime,
    category_code: str = "banjir",
    status: str = Report.Status.MENUNGGU,
    agency: Agency | None = None,
    assignee: User | None = None,
    custody: bool = True,
) -> Report:
    category = Category.objects.get(code=category_code)
    agency = agency or Agency.objects.filter(is_active=True).order_by("code").first()
    assert agency is not None
    report = Report.objects.create(
        public_id="LW-"
        + "".join(secrets.choice("23456789ABCDEFGHJKMNPQRSTUVWXYZ") for _ in "123456"),
        client_request_id=uuid.uuid4(),
        request_fingerprint="0" * 64,
        reporter=ReporterFactory(
            pseudonym=f"Warga-S{uuid.uuid4().hex[:10]}", user__username=f"w-{uuid.uuid4().hex}"
        ),
        category=category,
        description="Banjir",
        location=MONAS,
        occurred_at=created_at,
        area=Area.objects.get(code="31.71.01.1001"),
        agency=agency,
        assignee=assignee,
        status=status,
        provisional_due_at=created_at,
    )
    Report.objects.filter(pk=report.pk).update(created_at=created_at)
    report.refresh_from_db()
    event(report=report, at=created_at, kind=ReportEvent.Kind.CREATED, to_status="menunggu")
    if custody:
        Custody.objects.create(report=report, agency=agency, started_at=created_at)
    return report


def event(
    *, report: Report, at: datetime, to_status: str, kind: str = ReportEvent.Kind.STATUS
) -> ReportEvent:
    row = ReportEvent.objects.create(report=report, kind=kind, to_status=to_status)
    ReportEvent.objects.filter(pk=row.pk).update(created_at=at)
    if kind == ReportEvent.Kind.STATUS:
        Report.objects.filter(pk=report.pk).update(status=to_status)
    row.refresh_from_db()
    return row


def hand_over(
    *, report: Report, at: datetime, agency: Agency, officer: User | None = None
) -> Custody:
    Custody.objects.filter(report=report, ended_at__isnull=True).update(ended_at=at)
    return Custody.objects.create(report=report, agency=agency, officer=officer, started_at=at)


def transfer(
    *,
    report: Report,
    at: datetime,
    from_agency: Agency,
    to_agency: Agency,
    mode: str,
    actor: User | None = None,
    officer: User | None = None,
) -> ReportEvent:
    """A transfer as ``apps.triage.services.transfers`` records it (event + custody move)."""
    row = ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.TRANSFERRED,
        actor=actor,
        agency=from_agency,
        visibility=ReportEvent.Visibility.INTERNAL,
        data={
            "mode": mode,
            "from_agency": from_agency.code,
            "to_agency": to_agency.code,
            "to_agency_id": to_agency.pk,
            "from_agency_id": from_agency.pk,
        },
    )
    # the service stamps custody first, then the event a moment later
    ReportEvent.objects.filter(pk=row.pk).update(created_at=at + timedelta(milliseconds=3))
    hand_over(report=report, at=at, agency=to_agency, officer=officer)
    Report.objects.filter(pk=report.pk).update(agency=to_agency)
    return row
