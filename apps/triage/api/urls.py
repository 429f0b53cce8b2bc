"""Routes of the staff (officer) API under /api/v1/staff/ (docs/triage.md, docs/api.md).

Ticket ids use the reports app's ``public_id`` converter.
"""

from django.urls import URLPattern, URLResolver, path

import apps.reports.api.converters  # noqa: F401 - registers the "public_id" converter
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
    path(
        "staff/tickets/<public_id:public_id>/take/",
        views.StaffTicketTakeApi.as_view(),
        name="staff-ticket-take",
    ),
    path(
        "staff/tickets/<public_id:public_id>/assign/",
        views.StaffTicketAssignApi.as_view(),
        name="staff-ticket-assign",
    ),
    path(
        "staff/tickets/<public_id:public_id>/start/",
        views.StaffTicketStartApi.as_view(),
        name="staff-ticket-start",
    ),
    path(
        "staff/tickets/<public_id:public_id>/disposisi/",
        views.StaffTicketDisposisiApi.as_view(),
        name="staff-ticket-disposisi",
    ),
    path(
        "staff/tickets/<public_id:public_id>/koordinasi/",
        views.StaffTicketKoordinasiApi.as_view(),
        name="staff-ticket-koordinasi",
    ),
    path(
        "staff/tickets/<public_id:public_id>/koordinasi-accept/",
        views.StaffTicketKoordinasiAcceptApi.as_view(),
        name="staff-ticket-koordinasi-accept",
    ),
    path(
        "staff/tickets/<public_id:public_id>/koordinasi-decline/",
        views.StaffTicketKoordinasiDeclineApi.as_view(),
        name="staff-ticket-koordinasi-decline",
    ),
    path(
        "staff/tickets/<public_id:public_id>/return/",
        views.StaffTicketReturnApi.as_view(),
        name="staff-ticket-return",
    ),
    path(
        "staff/tickets/<public_id:public_id>/request-info/",
        views.StaffTicketRequestInfoApi.as_view(),
        name="staff-ticket-request-info",
    ),
    path(
        "staff/tickets/<public_id:public_id>/resume/",
        views.StaffTicketResumeApi.as_view(),
        name="staff-ticket-resume",
    ),
    path(
        "staff/tickets/<public_id:public_id>/complete/",
        views.StaffTicketCompleteApi.as_view(),
        name="staff-ticket-complete",
    ),
    path(
        "staff/tickets/<public_id:public_id>/reject/",
        views.StaffTicketRejectApi.as_view(),
        name="staff-ticket-reject",
    ),
    path(
        "staff/tickets/<public_id:public_id>/merge/",
        views.StaffTicketMergeApi.as_view(),
        name="staff-ticket-merge",
    ),
]
