"""An officer corrects where or when a report happened (docs/cctv.md, docs/triage.md).

The kelurahan follows the corrected point (routing's rule); the unit holding the ticket does
not change (it can hand the ticket on as usual). The correction is an internal timeline event,
and the ticket's CCTV evidence is recomputed for the new place and time.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.core.errors import ApplicationError, NotFound
from apps.core.text import text_clean
from apps.reports import events, evidence
from apps.reports.models import Report, ReportEvent
from apps.reports.services.common import lock
from apps.routing.selectors import kelurahan_for_point
from apps.triage.selectors.scope import staff_scope_for_user


def _place(report: Report) -> dict[str, object]:
    point = report.location
    return {
        "lat": round(point.y, 7) if point is not None else None,
        "lon": round(point.x, 7) if point is not None else None,
        "precision": report.location_precision,
        "occurred_at": report.occurred_at.isoformat(),
    }


@transaction.atomic
def report_correct_place_time(
    *,
    report: Report,
    actor: User,
    note: str,
    location: Point | None = None,
    occurred_at: datetime | None = None,
) -> Report:
    """Move the report's point and/or incident time; refused unless the actor may act on it."""
    note = text_clean(value=note, field="note", max_length=2000)
    if location is None and occurred_at is None:
        raise ApplicationError(fields={"location": [str(_("Give a new place or time."))]})
    scope = staff_scope_for_user(user=actor)
    if not scope.can_act(report):
        raise NotFound()
    locked = lock(report)
    if not scope.can_act(locked):
        raise NotFound()
    area = None
    if location is not None:
        area, _explanation = kelurahan_for_point(point=location)  # OutsideServiceArea: 422
    if occurred_at is not None:
        if occurred_at.tzinfo is None:
            raise ApplicationError(fields={"occurred_at": [str(_("Give a time zone."))]})
        if occurred_at > locked.created_at + settings.REPORT_CLOCK_SKEW:
            raise ApplicationError(
                fields={"occurred_at": [str(_("Cannot be after the report was filed."))]}
            )
        if occurred_at < locked.created_at - settings.REPORT_MAX_BACKDATE:
            raise ApplicationError(
                fields={"occurred_at": [str(_("Too long before the report was filed."))]}
            )
    before = _place(locked)
    fields = ["updated_at"]
    if location is not None and area is not None:
        # An officer's point is exact, also for a report filed by its address alone.
        locked.location, locked.area = location, area
        locked.location_precision = Report.LocationPrecision.EXACT
        fields += ["location", "area", "location_precision"]
    if occurred_at is not None:
        locked.occurred_at = occurred_at
        fields.append("occurred_at")
    locked.save(update_fields=fields)
    ReportEvent.objects.create(
        report=locked,
        kind=ReportEvent.Kind.CORRECTED,
        actor=actor,
        agency=locked.agency,
        visibility=ReportEvent.Visibility.INTERNAL,
        note=note,
        data=events.corrected_data(before=before, after=_place(locked)),
    )
    evidence.link_later(report_id=locked.pk)
    return locked
