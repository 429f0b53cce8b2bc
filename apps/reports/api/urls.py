"""Routes of the reports app under /api/v1/ (docs/api.md).

Report ids use the ``public_id`` converter (``LW-`` + 6 characters), so literal paths such
as ``reports/public/`` can sit beside ``reports/<public_id>/`` without ever colliding.
Add further routes as separate entries of ``urlpatterns``.
"""

from django.urls import URLPattern, URLResolver, path

import apps.reports.api.converters  # noqa: F401 - registers the "public_id" converter
from apps.reports.api import export_views, lifecycle_views, public_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("categories/", views.CategoryListApi.as_view(), name="category-list"),
    path("reports/", views.ReportCreateApi.as_view(), name="report-create"),
    path("reports/<public_id:public_id>/", views.ReportDetailApi.as_view(), name="report-detail"),
    path(
        "reports/<public_id:public_id>/timeline/",
        views.ReportTimelineApi.as_view(),
        name="report-timeline",
    ),
    path(
        "reports/<public_id:public_id>/confirm/",
        lifecycle_views.ReportConfirmApi.as_view(),
        name="report-confirm",
    ),
    path(
        "reports/<public_id:public_id>/reopen/",
        lifecycle_views.ReportReopenApi.as_view(),
        name="report-reopen",
    ),
    path(
        "reports/<public_id:public_id>/support/",
        lifecycle_views.ReportSupportApi.as_view(),
        name="report-support",
    ),
    path(
        "reports/<public_id:public_id>/messages/",
        lifecycle_views.ReportMessageListApi.as_view(),
        name="report-messages",
    ),
    path("me/reports/", views.MyReportListApi.as_view(), name="me-report-list"),
    path("me/export/", export_views.MeExportApi.as_view(), name="me-export"),
    # Public endpoints (apps/reports/api/public_views.py)
    path("reports/public/", public_views.PublicReportFeedApi.as_view(), name="report-public-feed"),
    path("reports/nearby/", public_views.NearbyReportListApi.as_view(), name="report-nearby"),
    path(
        "reports/<public_id:public_id>/public-thumbnail",
        public_views.PublicReportThumbnailApi.as_view(),
        name="report-public-thumbnail",
    ),
    path("track/<str:code>/", lifecycle_views.ReportTrackApi.as_view(), name="report-track"),
    path("track/<str:code>/claim/", lifecycle_views.ReportClaimApi.as_view(), name="report-claim"),
]
