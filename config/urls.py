from csp.decorators import csp_exempt
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from apps.core.views import HealthzView

api_v1 = [
    path("", include("apps.accounts.api.urls")),
    path("", include("apps.routing.api.urls")),
    path("", include("apps.identity.api.urls")),
    path("", include("apps.cctv.api.urls")),
    path("", include("apps.reports.api.urls")),
    path("", include("apps.triage.api.urls")),
    path("", include("apps.triage.api.evidence_urls")),
    path("", include("apps.sla.api.urls")),
    path("", include("apps.performance.api.urls")),
]

urlpatterns = [
    path("healthz", HealthzView.as_view(), name="healthz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the page keeps the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path(
        "api/redoc/",
        csp_exempt()(SpectacularRedocView.as_view(url_name="schema")),
        name="redoc",
    ),
    path("open311/", include("apps.open311.urls")),
    path("dashboard/", include("apps.dashboard.urls")),
    path("cctv/", include("apps.cctv.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/evidence/", include("apps.triage.admin.evidence")),  # docs/cctv.md
    path("admin/", admin.site.urls),
]

handler404 = "apps.core.views.not_found"
handler500 = "apps.core.views.server_failure"
