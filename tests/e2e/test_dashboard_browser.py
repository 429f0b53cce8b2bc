"""The dashboard in headless Chromium, in Bahasa Indonesia at 390 px (a phone): the city page,
Gambir's page and fkdm.gambir's duty view. Each waits for the polygons to draw, saves a
screenshot under var/screenshots/, and fails if the map has no polygon, a report point lies
outside its kelurahan, or the console shows an error (docs/dashboard.md).
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point

from apps.accounts.models import Agency
from apps.accounts.services import membership_set, staff_user_upsert
from apps.dashboard.services import dashboard_refresh
from apps.routing.models import Area
from tests.e2e.test_triage_browser import CHROMEDRIVER, CHROMIUM
from tests.reports.factories import citizen, file_report

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists() or not CHROMEDRIVER.exists(),
        reason="headless Chromium not installed (apt-get install chromium chromium-driver)",
    ),
]

GAMBIR = "31.71.01.1001"
PASSWORD = "e2e-password-Fkdm-1"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
POINTS = [(106.8272, -6.1754), (106.8240, -6.1720), (106.8195, -6.1780)]


@pytest.fixture
def phone() -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--no-first-run",
        "--lang=id",
    ):  # fmt: skip
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "id"})
    # A phone's viewport (a headless window cannot be narrower than 500 px).
    options.add_experimental_option(
        "mobileEmulation", {"deviceMetrics": {"width": 390, "height": 1400, "pixelRatio": 1}}
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _map_drawn(driver: Any, name: str) -> dict[str, Any]:
    from selenium.webdriver.support.ui import WebDriverWait

    state = WebDriverWait(driver, 30).until(
        lambda d: d.execute_script(
            "return window.lwMap && (window.lwMap.done || window.lwMap.error) ? window.lwMap : null"
        )
    )
    assert not state.get("error"), state
    paths = driver.execute_script("return document.querySelectorAll('path.lw-kel').length")
    assert paths >= 1, f"{name}: no polygon drawn"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"dashboard-{name}-390.png"))
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors
    assert driver.execute_script("return document.documentElement.lang") == "id"
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, f"{name}: the page scrolls sideways ({width} px)"
    return dict(state, paths=paths)


def _points_inside(state: dict[str, Any], code: str) -> None:
    boundary = Area.objects.get(code=code).boundary
    outside = [p for p in state["points"] if not boundary.covers(Point(p[0], p[1], srid=4326))]
    assert outside == [], outside


def test_city_kelurahan_and_duty_pages_draw_in_indonesian_on_a_phone(
    phone: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    settings.MEDIA_ROOT = tmp_path / "media"
    for lon, lat in POINTS:
        file_report(reporter=citizen(), location=Point(lon, lat, srid=4326))
    file_report(reporter=citizen(), location=Point(106.8301, -6.1795, srid=4326), is_public=False)
    dashboard_refresh()
    user = staff_user_upsert(username="fkdm.gambir", password=PASSWORD)
    membership_set(user=user, agency=Agency.objects.get(code=f"KELURAHAN-{GAMBIR}"), role="monitor")

    phone.get(f"{live_server.url}/dashboard/")
    city = _map_drawn(phone, "city")
    assert city["polygons"] == 267
    assert city["paths"] == 267
    assert "Laporan bulan ini" in phone.page_source
    phone.find_element(By.CSS_SELECTOR, "input[name=warna][value=ontime]").click()
    assert "warna=ontime" in phone.current_url

    phone.get(f"{live_server.url}/dashboard/kelurahan/{GAMBIR}/")
    page = _map_drawn(phone, "kelurahan-gambir")
    assert len(page["points"]) == 3  # the private report is not a point
    _points_inside(page, GAMBIR)
    assert page["cameras"] >= 1

    phone.get(f"{live_server.url}/dashboard/piket/")
    assert "/dashboard/masuk/" in phone.current_url
    phone.find_element(By.NAME, "username").send_keys("fkdm.gambir")
    phone.find_element(By.NAME, "password").send_keys(PASSWORD)
    phone.find_element(By.CSS_SELECTOR, ".lw-login button[type=submit]").click()
    duty = _map_drawn(phone, "duty-gambir")
    _points_inside(duty, GAMBIR)
    rows = phone.find_elements(By.CSS_SELECTOR, "#lw-queue-table tbody tr")
    assert len(rows) == 4  # three public reports and the private one, as a count-only row
    # A new report appears without a reload.
    file_report(reporter=citizen(), location=Point(106.8260, -6.1740, srid=4326))
    phone.execute_script("window.lwDuty.refresh()")
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(phone, 15).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#lw-queue-table tbody tr.lw-new")) == 1
    )
    phone.save_screenshot(str(SCREENSHOTS / "dashboard-duty-gambir-new-390.png"))
    assert [e for e in phone.get_log("browser") if e["level"] == "SEVERE"] == []
