from csp.decorators import csp_exempt
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.core.api.docs import LocalRedocView, redoc_standalone
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
    # Redoc from the project's own static files (offline); it builds its styles at run time.
    path("api/redoc/", csp_exempt()(LocalRedocView.as_view(url_name="schema")), name="redoc"),
    path("api/redoc/redoc.standalone.js", redoc_standalone, name="redoc-standalone"),
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg")), name="favicon"),
    path("open311/", include("apps.open311.urls")),
    path("dashboard/", include("apps.dashboard.urls")),
    path("cctv/", include("apps.cctv.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/evidence/", include("apps.triage.admin.evidence")),  # docs/cctv.md
    path("admin/", admin.site.urls),
]

handler400 = "apps.core.views.malformed"
handler403 = "apps.core.views.refused"
handler404 = "apps.core.views.not_found"
handler500 = "apps.core.views.server_failure"
