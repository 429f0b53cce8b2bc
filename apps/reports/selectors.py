"""Every read of reports that another layer needs, access control included (C11).

Whatever a caller may not see is a ``NotFound`` (404), the same as a missing id.
"""

from django.db.models import Case, DateTimeField, Expression, F, Prefetch, QuerySet, When

from apps.core.errors import NotFound
from apps.identity.models import Reporter
from apps.reports.codes import tracking_code_hash
from apps.reports.models import DEADLINE, Report, ReportEvent, ReportMessage, ReportPhoto

_AREA_CHAIN = "area__parent__parent"  # kelurahan → kecamatan → kota


def deadline_expression() -> Expression:
    """The one deadline, as SQL: the SLA clock's ``due_at`` (working days, pauses, freezes;
    NULL while paused or stopped), or ``provisional_due_at`` while the report has no clock yet
    (the sweep creates it within a minute of filing). A LEFT JOIN, never an extra query.

    The clock belongs to ``sla`` (``SlaClock.report``, related name ``sla_clock``), which sits
    above reports; the lookup names it by string so that every surface sorts by one definition.
    """
    return Case(
        When(sla_clock__isnull=True, then=F("provisional_due_at")),
        default=F("sla_clock__due_at"),
        output_field=DateTimeField(),
    )


def with_deadline(queryset: QuerySet[Report]) -> QuerySet[Report]:
    """``queryset`` annotated with the real deadline (``Report.deadline()`` reads it)."""
    return queryset.annotate(**{DEADLINE: deadline_expression()})


def _with_refs(queryset: QuerySet[Report]) -> QuerySet[Report]:
    return with_deadline(
        queryset.select_related("category", _AREA_CHAIN, "agency").defer(
            "area__boundary", "area__parent__boundary", "area__parent__parent__boundary"
        )
    )


def report_list_public() -> QuerySet[Report]:
    """Public reports (not merged into another), newest first."""
    queryset = Report.objects.filter(is_public=True, parent__isnull=True)
    return _with_refs(queryset).order_by("-created_at", "-pk")


def report_get_public(*, public_id: str) -> Report:
    report = report_list_public().filter(public_id=public_id).first()
    if report is None:
        raise NotFound()
    return report


def report_list_for_reporter(*, reporter: Reporter, status: str | None = None) -> QuerySet[Report]:
    """The reporter's own reports, newest first, with their photos prefetched."""
    queryset = Report.objects.filter(reporter=reporter)
    if status:
        queryset = queryset.filter(status=status)
    return (
        _with_refs(queryset)
        .prefetch_related(Prefetch("photos", queryset=ReportPhoto.objects.order_by("index")))
        .order_by("-created_at", "-pk")
    )


def report_get_for_reporter(*, public_id: str, reporter: Reporter | None) -> Report:
    """One of ``reporter``'s own reports; anyone else's (or none) is a 404."""
    if reporter is None:
        raise NotFound()
    report = report_list_for_reporter(reporter=reporter).filter(public_id=public_id).first()
    if report is None:
        raise NotFound()
    return report


def report_get_visible(*, public_id: str, reporter: Reporter | None) -> tuple[Report, bool]:
    """The report as its reporter sees it (``True``) or as the public sees it (``False``).

    A private report of someone else is a 404, like a missing one.
    """
    if reporter is not None:
        own = report_list_for_reporter(reporter=reporter).filter(public_id=public_id).first()
        if own is not None:
            return own, True
    return report_get_public(public_id=public_id), False


def report_get_by_tracking_code(*, code: str) -> Report:
    """The anonymously filed report whose tracking code is ``code``."""
    if not code or len(code) > 40:
        raise NotFound()
    report = (
        _with_refs(Report.objects.filter(tracking_code_hash=tracking_code_hash(code)))
        .exclude(tracking_code_hash="")
        .first()
    )
    if report is None:
        raise NotFound()
    return report


def report_timeline(*, report: Report, include_internal: bool = False) -> QuerySet[ReportEvent]:
    """The report's events, oldest first; citizens get the public ones only."""
    queryset = ReportEvent.objects.filter(report=report)
    if not include_internal:
        queryset = queryset.filter(visibility=ReportEvent.Visibility.PUBLIC)
    return queryset.select_related("agency", "actor").order_by("created_at", "pk")


def report_message_list(*, report: Report) -> QuerySet[ReportMessage]:
    return ReportMessage.objects.filter(report=report).order_by("created_at", "pk")
