"""The API documentation pages, served entirely from this server (no CDN, no web fonts).

drf-spectacular-sidecar ships Swagger UI and Redoc; two things still reached the internet:
drf-spectacular's Redoc page links Google Fonts, and the Redoc bundle draws its footer logo
from ``cdn.redoc.ly``. Our Redoc page uses system fonts, and the bundle is served through
``redoc_standalone`` with the logo pointing at our own favicon. Swagger UI's online
validator badge is turned off in the settings (``validatorUrl``).
"""

from functools import lru_cache

from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularRedocView

REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REMOTE_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@lru_cache(maxsize=1)
def _redoc_bundle(logo_url: str) -> bytes:
    path = finders.find(REDOC_BUNDLE)
    if not path or isinstance(path, list):
        raise Http404
    with open(path, "rb") as bundle:
        return bundle.read().replace(REMOTE_LOGO.encode(), logo_url.encode())


@require_GET
def redoc_standalone(request: HttpRequest) -> HttpResponse:
    """The sidecar's Redoc bundle, its one remote image replaced by a local one."""
    response = HttpResponse(
        _redoc_bundle(static("favicon.svg")), content_type="text/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response


class LocalRedocView(SpectacularRedocView):
    """Redoc with system fonts and the bundle above: works without the internet."""

    template_name = "api/redoc.html"

    @staticmethod
    def _redoc_standalone() -> str:
        return reverse("redoc-standalone")
