"""The admin's frame: named Lapor Warga, a language switch, a favicon, the public dashboard
link only while it exists, error pages inside the frame, API docs that need no internet."""

import re
from types import ModuleType
from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch, clear_url_caches, reverse

from apps.core.admin_site import public_dashboard_url
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def _staff_client() -> Client:
    client = Client()
    client.force_login(StaffFactory())
    return client


def test_the_header_says_lapor_warga_with_a_favicon_and_a_language_switch() -> None:
    html = _staff_client().get("/admin/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Administrasi Django" not in html
    assert "Django administration" not in html
    assert re.search(r'<div id="site-name"><a [^>]*>.*Lapor Warga</a>', html, re.S)
    assert '<link rel="icon" href="/static/favicon.svg"' in html
    # ID / EN buttons posting to Django's set_language view, the current one marked
    assert 'action="/i18n/setlang/"' in html
    assert re.search(r'value="id"[^>]*aria-current="true"', html)
    assert 'name="language" value="en"' in html


def test_the_language_switch_changes_the_admin_language() -> None:
    client = _staff_client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert response.status_code == 302
    english = client.get("/admin/").content.decode()
    assert '<html lang="en"' in english
    assert "Officers&#x27; workspace" in english
    client.post("/i18n/setlang/", {"language": "id", "next": "/admin/"})
    indonesian = client.get("/admin/").content.decode()
    assert '<html lang="id"' in indonesian
    assert "Ruang kerja petugas" in indonesian


def test_the_login_page_has_the_switch_too() -> None:
    html = Client().get("/admin/login/").content.decode()
    assert 'name="language" value="en"' in html
    assert "Lapor Warga" in html


def test_view_site_is_shown_only_while_the_public_dashboard_exists() -> None:
    try:
        expected = reverse("dashboard:city")
    except NoReverseMatch:
        expected = None
    assert public_dashboard_url() == expected
    html = _staff_client().get("/admin/").content.decode()
    if expected is None:
        # no dashboard page on this build: no link that would lead to "Not Found"
        assert "Lihat situs" not in html
        assert "View site" not in html
    else:
        assert f'<a href="{expected}">Lihat situs</a>' in html


def test_view_site_points_at_the_public_dashboard_when_it_exists(settings: Any) -> None:
    from django.http import HttpResponse
    from django.urls import include, path

    import config.urls

    def city(request: Any) -> HttpResponse:
        return HttpResponse("dashboard")

    dashboard = ([path("", city, name="city")], "dashboard")
    urls = ModuleType("urls_with_a_dashboard")
    urls.urlpatterns = [path("dashboard/", include(dashboard)), *config.urls.urlpatterns]  # type: ignore[attr-defined]
    settings.ROOT_URLCONF = urls
    clear_url_caches()
    try:
        assert public_dashboard_url() == "/dashboard/"
        html = _staff_client().get("/admin/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
        assert '<a href="/dashboard/">Lihat situs</a>' in html
    finally:
        clear_url_caches()


def test_favicon_ico_leads_to_the_svg() -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/admin/performance/managerreport/", 403, "Tidak diizinkan"),
        ("/admin/no-such-page/", 404, "Halaman tidak ditemukan"),
        ("/no-such-page/", 404, "Halaman tidak ditemukan"),
    ],
)
def test_error_pages_keep_the_admin_frame_in_indonesian(
    path: str, status: int, heading: str
) -> None:
    response = _staff_client().get(path, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == status
    html = response.content.decode()
    assert '<header id="header">' in html
    assert f"<h1>{heading}</h1>" in html
    assert "Lapor Warga" in html


def test_api_errors_stay_json() -> None:
    response = Client().get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_redoc_needs_no_internet() -> None:
    client = Client()
    html = client.get("/api/redoc/").content.decode()
    assert "fonts.googleapis" not in html
    assert "fonts.gstatic" not in html
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts == ["/api/redoc/redoc.standalone.js"]
    assert not re.findall(r'(?:href|src)="https?://', html)
    bundle = client.get(scripts[0])
    assert bundle.status_code == 200
    body = b"".join(bundle.streaming_content) if bundle.streaming else bundle.content
    assert b"Redoc" in body
    assert b"cdn.redoc.ly" not in body
    assert b"/static/favicon.svg" in body
    swagger = client.get("/api/docs/").content.decode()
    assert not re.findall(r'(?:href|src)="https?://', swagger)
