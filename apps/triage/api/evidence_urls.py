"""Routes of the staff evidence API (docs/cctv.md), included by apps/reports/api/urls.py."""

from django.urls import URLPattern, URLResolver, path

import apps.reports.api.converters  # noqa: F401 - registers the "public_id" converter
from apps.triage.api import evidence_views

TICKET = "staff/tickets/<public_id:public_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        f"{TICKET}evidence/",
        evidence_views.StaffTicketEvidenceApi.as_view(),
        name="staff-ticket-evidence",
    ),
    path(
        f"{TICKET}evidence/clips/<uuid:uid>/play/",
        evidence_views.StaffTicketClipPlayApi.as_view(),
        name="staff-ticket-clip-play",
    ),
    path(
        f"{TICKET}evidence/links/",
        evidence_views.StaffTicketClipLinkApi.as_view(),
        name="staff-ticket-clip-link",
    ),
    path(
        f"{TICKET}evidence/links/<uuid:uid>/remove/",
        evidence_views.StaffTicketClipUnlinkApi.as_view(),
        name="staff-ticket-clip-unlink",
    ),
    path(
        f"{TICKET}correct/",
        evidence_views.StaffTicketCorrectApi.as_view(),
        name="staff-ticket-correct",
    ),
]
