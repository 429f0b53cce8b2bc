"""The manager report page in the admin: the API's numbers, charts and export links."""

import re
from datetime import date

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from apps.performance.admin_report import queue_url
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
    # the two inline SVG charts, each drawn for a desk (640) and a phone (360)
    assert html.count('role="img"') == 4
    assert html.count('viewBox="0 0 640 ') == 2
    assert html.count('viewBox="0 0 360 ') == 2
    assert "Kepatuhan SLA per minggu" in html
    assert "<h1>Rekap kinerja</h1>" in html  # the heading starts with a capital
    assert "/api/v1/performance/report/export/?start=2026-07-01" in html
    assert "file_format=xlsx" in html
    # each count opens the ticket queue in the admin, not the API's JSON
    assert (
        "/admin/reports/report/?created_from=2026-07-01&amp;created_to=2026-07-31"
        f"&amp;unit={world.unit.code}&amp;outcome=missed"
    ) in html
    assert "/api/v1/performance/report/tickets/" not in html


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


def test_the_charts_name_units_and_show_axes_and_values() -> None:
    from apps.accounts.models import Agency

    world = build_world()
    Agency.objects.filter(pk=world.unit.pk).update(short_name="SDA Jakarta Pusat")
    client = Client()
    client.force_login(manager())
    html = client.get(URL, JULY, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    compliance, breaches = (str(svg) for svg in client.get(URL, JULY).context["charts"])
    # compliance: a 0-100 % axis and the week's value written above its bar (localized text)
    for tick in ("0 %", "20 %", "40 %", "60 %", "80 %", "100 %"):
        assert f">{tick}<" in compliance
    assert "71,4 %" in compliance
    # breaches by unit: the unit's short name (never its code), the count after the bar
    assert ">SDA Jakarta Pusat</text>" in breaches
    assert world.unit.code not in breaches
    assert "<title>SDA Jakarta Pusat: 2</title>" in breaches
    # every coordinate is a plain number, whatever the language
    assert not re.search(r'(?:x|y|x1|x2|y1|y2|width|height)="-?\d+,\d', html)
    assert 'viewBox="0 0 640 ' in compliance


def test_long_unit_names_are_cut_with_the_full_name_on_hover() -> None:
    from apps.performance.charts import hbar_chart_svg

    name = "Suku Dinas Cipta Karya, Tata Ruang dan Pertanahan Jakarta Barat"
    with translation.override("id"):
        svg = hbar_chart_svg(title="Pelanggaran", labels=[name, "Gambir"], values=[12.5, 3])
    assert f"<title>{name}: 12,5</title>" in svg
    assert ">Suku Dinas Cipta Karya, Tata…</text>" in svg
    assert not re.search(r'="[^"]*\d,\d[^"]*"', svg)  # no comma decimals in attributes


def test_the_phone_variants_fit_360_units_and_keep_their_label_sizes() -> None:
    from apps.performance.charts import PHONE_WIDTH, bar_chart_svg, hbar_chart_svg

    name = "Suku Dinas Cipta Karya, Tata Ruang dan Pertanahan Jakarta Barat"
    note = "Laporan yang ditindaklanjuti tepat waktu, dalam persen, menurut minggu laporan masuk"
    weeks = [f"{d} Nov" for d in range(1, 13)]
    with translation.override("id"):
        bars = hbar_chart_svg(
            title="Pelanggaran", labels=[name, "Gambir"], values=[12.5, 3], width=PHONE_WIDTH
        )
        columns = bar_chart_svg(
            title="Kepatuhan",
            axis_label=note,
            labels=weeks,
            values=[50.0] * 12,
            max_value=100,
            unit=" %",
            width=PHONE_WIDTH,
        )
    for svg in (bars, columns):
        assert 'viewBox="0 0 360 ' in svg
        xs = [float(x) for x in re.findall(r' x2?="(-?[\d.]+)"', svg)]
        assert max(xs) <= 360
        assert min(xs) >= 0
        assert set(re.findall(r'font-size="(\d+)"', svg)) <= {"11", "12", "13", "15"}
    assert ">Suku Dinas Cipta Ka…</text>" in bars  # 20 characters on a phone
    assert f"<title>{name}: 12,5</title>" in bars
    # the axis note wraps instead of running off the drawing; every 3rd of 12 weeks is labelled
    assert note not in columns
    assert ">Laporan yang ditindaklanjuti tepat waktu, dalam persen," in columns
    assert sum(f">{week}</text>" in columns for week in weeks) == 4
    assert ">50 %</text>" not in columns  # no values above 12 narrow bars (hover titles)


@pytest.mark.parametrize("metric", ["tickets", "on_time", "missed", "breaches", "open"])
@pytest.mark.parametrize("group", ["unit", "category", "kelurahan", "kota"])
def test_each_count_links_to_the_queue_filtered_to_exactly_its_tickets(
    metric: str, group: str
) -> None:
    world = build_world()
    boss = manager()
    client = Client()
    client.force_login(boss)
    params = {**JULY, "group": group}
    page = client.get(URL, params, HTTP_ACCEPT_LANGUAGE="id")
    rows = page.context["rows"]
    assert rows
    index = [key for key, _label in page.context["columns"]].index(metric)
    api = APIClient()
    api.force_authenticate(boss)
    report = {r["code"]: r for r in api.get("/api/v1/performance/report/", params).json()}
    for row in rows:
        cell = row["cells"][index]
        expected = api.get(
            "/api/v1/performance/report/tickets/",
            {**params, "key": report[row["code"]]["key"], "metric": metric},
        ).json()["reports"]
        assert cell["value"] == len(expected)
        queue = client.get(cell["link"], HTTP_ACCEPT_LANGUAGE="id")
        assert queue.status_code == 200, cell["link"]
        listed = {r.public_id for r in queue.context["cl"].result_list}
        assert listed == set(expected), (row["code"], metric)
    assert world.unit.code in {row["code"] for row in rows} or group != "unit"


def test_the_queue_link_keeps_an_officers_scope() -> None:
    world = build_world()
    client = Client()
    client.force_login(world.officer)
    # the link a manager would follow, opened by an officer of unit A for unit B: nothing
    url = queue_url(
        start=date(2026, 7, 1),
        end=date(2026, 7, 31),
        grouping="unit",
        code=world.other.code,
        metric="tickets",
    )
    response = client.get(url)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
