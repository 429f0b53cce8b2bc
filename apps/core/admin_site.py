"""The admin site of Lapor Warga: its name, the link to the public dashboard, the language.

``LaporWargaAdminConfig`` replaces ``django.contrib.admin`` in ``INSTALLED_APPS`` so that
``@admin.register`` and ``admin.site`` use this site. The header reads "Lapor Warga" (not
"Django administration"); "View site" leads to the public dashboard (``dashboard:city``)
and is shown only while that page exists, so it never leads to a "Not Found" page.
"""

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

PUBLIC_DASHBOARD = "dashboard:city"


def public_dashboard_url() -> str | None:
    """The public dashboard's address, or None while no such page is installed."""
    try:
        return reverse(PUBLIC_DASHBOARD)
    except NoReverseMatch:
        return None


class LaporWargaAdminSite(AdminSite):
    site_header = _("Lapor Warga")
    site_title = _("Lapor Warga")
    index_title = _("Officers' workspace")
    # The side menu took a fifth of a 1440 px screen from the ticket queue; the start page and
    # the breadcrumbs lead everywhere it did.
    enable_nav_sidebar = False

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        context["site_url"] = public_dashboard_url()
        return context


class LaporWargaAdminConfig(AdminConfig):
    default_site = "apps.core.admin_site.LaporWargaAdminSite"
