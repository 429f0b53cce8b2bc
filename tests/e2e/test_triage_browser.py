"""End to end in headless Chromium: petugas.gambir signs in, opens the queue, starts work on a
ticket and completes it with an after-photo (docs/triage.md).

Needs Debian's ``chromium`` and ``chromium-driver`` (the set-up installs them with
LW_WITH_BROWSER=1); without them the test is skipped with the reason.
"""

from pathlib import Path
from typing import Any

import pytest

from apps.accounts.models import Agency
from apps.accounts.services import membership_set, staff_user_upsert
from apps.reports.models import Report, ReportPhoto
from apps.routing.models import Category
from tests.conftest import MONAS
from tests.e2e.conftest import CHROMEDRIVER, CHROMIUM
from tests.reports.factories import citizen, file_report, jpeg_with_exif
from tests.triage.triage_helpers import GAMBIR, near

pytestmark = [
    pytest.mark.e2e,
    # transactional: tests/conftest.py reloads the areas and catalogue after a flush
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists() or not CHROMEDRIVER.exists(),
        reason="headless Chromium not installed (apt-get install chromium chromium-driver)",
    ),
]

PASSWORD = "e2e-password-Gambir-1"


def test_petugas_gambir_starts_and_completes_a_ticket(
    browser: Any, live_server: Any, tmp_path: Path, settings: Any
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    def submit(button_id: str) -> None:
        button = browser.find_element(By.ID, button_id)
        button.click()
        WebDriverWait(browser, 15).until(expected_conditions.staleness_of(button))

    settings.MEDIA_ROOT = tmp_path / "media"
    user = staff_user_upsert(username="petugas.gambir", password=PASSWORD)
    membership_set(user=user, agency=Agency.objects.get(code=GAMBIR), role="officer")
    report = file_report(
        reporter=citizen(),
        category=Category.objects.get(code="lainnya"),
        description="Lampu taman mati di depan kantor kelurahan",
    ).report
    assert report.agency.code == GAMBIR
    photo = tmp_path / "after.jpg"
    photo.write_bytes(jpeg_with_exif(gps=near(MONAS, 40)))

    browser.get(f"{live_server.url}/admin/login/?next=/admin/reports/report/")
    browser.find_element(By.NAME, "username").send_keys("petugas.gambir")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()

    # The queue lists the ticket (wait for the page the sign-in leads to); open it.
    link = WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located((By.LINK_TEXT, report.public_id))
    )
    link.click()
    assert "lw-boundary" in browser.page_source  # the offline SVG map

    form = browser.find_element(By.ID, "lw-start-form")
    form.find_element(By.NAME, "note").send_keys("Petugas menuju lokasi")
    submit("lw-start")
    report.refresh_from_db()
    assert report.status == Report.Status.PROSES

    form = browser.find_element(By.ID, "lw-complete-form")
    form.find_element(By.NAME, "note").send_keys("Lampu sudah diganti")
    browser.find_element(By.ID, "lw-photo").send_keys(str(photo))
    submit("lw-complete")

    report.refresh_from_db()
    assert report.status == Report.Status.SELESAI, browser.find_element(
        By.CSS_SELECTOR, ".messagelist"
    ).text
    assert report.assignee == user
    assert list(report.photos.values_list("kind", flat=True)) == [ReportPhoto.Kind.AFTER]
    assert "/photo/1/thumbnail/" in browser.page_source


def test_ambil_on_the_ticket_page_claims_the_ticket(
    browser: Any, live_server: Any, settings: Any
) -> None:
    """The action forms are outside the change form: "Ambil" posts its own form (no 403)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    user = staff_user_upsert(username="petugas.gambir", password=PASSWORD)
    membership_set(user=user, agency=Agency.objects.get(code=GAMBIR), role="officer")
    report = file_report(
        reporter=citizen(),
        category=Category.objects.get(code="lainnya"),
        description="Trotoar berlubang di depan sekolah",
    ).report
    assert report.assignee is None

    browser.get(f"{live_server.url}/admin/login/?next=/admin/reports/report/{report.pk}/change/")
    browser.find_element(By.NAME, "username").send_keys("petugas.gambir")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    button = WebDriverWait(browser, 30).until(
        expected_conditions.element_to_be_clickable((By.ID, "lw-take"))
    )
    assert button.text == "Ambil"
    button.click()
    WebDriverWait(browser, 15).until(expected_conditions.staleness_of(button))

    assert "403" not in browser.title
    messages = browser.find_element(By.CSS_SELECTOR, ".messagelist").text
    assert f"{report.public_id}: diambil" in messages
    report.refresh_from_db()
    assert report.assignee == user
