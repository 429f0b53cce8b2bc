"""The manager report page in the admin: the API's numbers, charts and export links."""

import pytest
from django.test import Client
from django.utils import translation

from tests.factories import StaffFactory, UserFactory
from tests.performance.factories import build_world, manager

pytestmark = pytest.mark.django_db
URL = "/admin/performance/managerreport/"
JULY = {"start": "2026-07-01", "end": "2026-07-31", "group": "unit"}


def test_the_page_shows_the_report_to_a_manager_in_bahasa_indonesia() -> None:
    world = build_world()
    client = Client()
    client.force_login(manager())
    response = client.get(URL, JULY, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    html = response.content.decode()
    rows = {row["code"]: row for row in response.context["rows"]}
    unit = [cell["value"] for cell in rows[world.unit.code]["cells"]]
    # tickets, on time, missed, compliance %, median, p90, open, backlog..., breaches
    assert unit[:7] == [7, 5, 2, 71.4, 44.0, 109.0, 1]
    assert unit[11] == 2
    assert [cell["value"] for cell in rows[world.other.code]["cells"]][:4] == [1, 0, 0, ""]
    assert "Kepatuhan SLA %" in html
    assert "Rekap kinerja" in html
    assert html.count('role="img"') == 2  # the two inline SVG charts
    assert "Kepatuhan SLA per minggu (%)" in html
    assert "/api/v1/performance/report/export/?start=2026-07-01" in html
    assert "file_format=xlsx" in html
    assert f"key={world.unit.pk}&amp;metric=missed" in html


def test_the_page_refuses_officers_and_non_staff() -> None:
    world = build_world()
    client = Client()
    client.force_login(world.officer)
    assert client.get(URL, JULY).status_code == 403
    client.force_login(StaffFactory())
    assert client.get(URL, JULY).status_code == 403
    client.force_login(UserFactory())
    response = client.get(URL, JULY)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_bad_dates_show_the_form_error_not_a_500() -> None:
    client = Client()
    client.force_login(manager())
    with translation.override("en"):
        response = client.get(URL, {**JULY, "end": "2026-06-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "The end is before the start." in response.content.decode()
