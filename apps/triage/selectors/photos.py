"""Who may fetch a report's photo file over the API (its reporter, or staff who see the ticket)."""

from apps.accounts.models import User
from apps.core.errors import NotFound
from apps.reports.models import ReportPhoto
from apps.triage.selectors.scope import report_in_scope


def report_photo_get_for_user(*, public_id: str, index: int, user: User) -> ReportPhoto:
    """A photo for its report's reporter or for staff who may read the report.

    Staff see it exactly when they see the ticket (``scope``: the unit holding it,
    the units above it, managers and monitors by their roles; the staff API links here).
    Everyone else, signed in or not, gets a 404.
    """
    photo = (
        ReportPhoto.objects.filter(report__public_id=public_id, index=index)
        .select_related("report", "report__reporter")
        .first()
    )
    if photo is None or not user.is_authenticated:
        raise NotFound()
    report = photo.report
    if report.reporter.user_id is not None and report.reporter.user_id == user.pk:
        return photo
    if user.is_staff and report_in_scope(user=user, pk=report.pk):
        return photo
    raise NotFound()
