"""Routes of the staff (officer) API under /api/v1/staff/ (docs/triage.md, docs/api.md).

Ticket ids use the reports app's ``public_id`` converter.
"""

from django.urls import URLPattern, URLResolver, path

import apps.reports.api.converters  # noqa: F401 - registers the "public_id" converter
from apps.triage.actions import ACTIONS
from apps.triage.api import photo_views, reveal_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    # A report's photos: its reporter and the staff who see the ticket (photo_views.py)
    path(
        "reports/<public_id:public_id>/photos/<int:n>",
        photo_views.ReportPhotoApi.as_view(),
        name="report-photo",
    ),
    path(
        "reports/<public_id:public_id>/photos/<int:n>/thumbnail",
        photo_views.ReportPhotoThumbnailApi.as_view(),
        name="report-photo-thumbnail",
    ),
    path("staff/auth/token/", views.StaffTokenCreateApi.as_view(), name="staff-token"),
    path("staff/tickets/", views.StaffTicketListApi.as_view(), name="staff-ticket-list"),
    path(
        "staff/tickets/<public_id:public_id>/",
        views.StaffTicketDetailApi.as_view(),
        name="staff-ticket-detail",
    ),
    path(
        "staff/tickets/<public_id:public_id>/reveal-requests/",
        reveal_views.StaffTicketRevealRequestsApi.as_view(),
        name="staff-ticket-reveal-requests",
    ),
    path(
        "staff/tickets/<public_id:public_id>/reveal/",
        reveal_views.StaffTicketRevealApi.as_view(),
        name="staff-ticket-reveal",
    ),
    *(
        path(
            f"staff/tickets/<public_id:public_id>/{action.path}/",
            views.ACTION_VIEWS[name].as_view(),
            name=f"staff-ticket-{action.path}",
        )
        for name, action in ACTIONS.items()
    ),
]
