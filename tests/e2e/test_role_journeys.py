"""One journey per role through the admin in headless Chromium, in Bahasa Indonesia, at a
desktop width (1440 x 900) and on a phone (390 x 844) (docs/triage.md, docs/performance.md).

Every page visited fails the journey on: a console error (a 404 favicon, an SVG attribute
the browser cannot parse), a bare error page (no admin frame), a horizontal scrollbar (the
queue at 1440 px, every page at 390 px), a ticket's map point outside the map's box, or the
SLA time left not visible on a phone. Screenshots go to ``var/screenshots/``.

The accounts are those of ``fixtures/demo_users.json`` (created here with a test password).
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from apps.accounts.services import demo_accounts_seed
from apps.reports.models import Report
from apps.routing.models import Category
from apps.triage import services
from apps.triage.services.reveal import (
    report_reveal_grant,
    report_reveal_reject,
    report_reveal_request_create,
)
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

PASSWORD = "e2e-password-Journey-1"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
DESKTOP, PHONE = (1440, 900), (390, 844)
QUEUE = "/admin/reports/report/"
REPORT = "/admin/performance/managerreport/"
AUDIT = "/admin/reports/report/identity-audit/"


@pytest.fixture
def chromium() -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--hide-scrollbars",
        "--lang=id",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "id"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def world() -> dict[str, Any]:
    """The demo accounts and a few tickets: at Gambir, at SDA Jakarta Pusat, one returned to
    central triage (so every role's queue has a ticket to open)."""
    users = json.loads((Path(settings.BASE_DIR) / "fixtures" / "demo_users.json").read_text())
    accounts = {u.username: u for u in demo_accounts_seed(users=users["users"], password=PASSWORD)}
    lainnya = Category.objects.get(code="lainnya")
    banjir = Category.objects.get(code="banjir")
    gambir = file_report(reporter=citizen(), category=lainnya, description="Lampu taman mati")
    flood = file_report(reporter=citizen(), category=banjir, description="Genangan 40 cm")
    back = file_report(reporter=citizen(), category=banjir, description="Genangan di taman")
    services.report_return_to_triage(
        report=back.report,
        actor=accounts["sda.jakpus"],
        reason_code="not_our_sector",
        note="Saluran milik taman kota",
    )
    assert flood.report.agency.code == "DINAS-SDA-31.71"
    reveal_requests = [
        report_reveal_request_create(
            report=flood.report,
            actor=accounts["sda.jakpus"],
            reason_code=code,
            justification=why,
            fields=fields,
        )
        for code, why, fields in (
            ("verify", "Perlu konfirmasi lokasi genangan", ["name", "phone"]),
            ("follow_up", "Pelapor tidak menjawab pesan", ["phone"]),
        )
    ]
    return {
        "accounts": accounts,
        "reveal_requests": reveal_requests,
        "gambir": gambir.report,
        "flood": flood.report,
        "returned": Report.objects.get(pk=back.report.pk),
    }


class Walk:
    """A signed-in browser that checks every page it opens and saves a screenshot of it."""

    def __init__(self, driver: Any, base: str, role: str) -> None:
        self.driver, self.base, self.role = driver, base, role
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def sign_in(self, username: str) -> None:
        from selenium.webdriver.common.by import By

        self.driver.set_window_size(*DESKTOP)
        self.driver.get(f"{self.base}/admin/login/")
        self.driver.find_element(By.NAME, "username").send_keys(username)
        self.driver.find_element(By.NAME, "password").send_keys(PASSWORD)
        self.driver.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
        self.check("masuk", DESKTOP, scroll_ok=False)

    def open(self, path: str, name: str, size: tuple[int, int], *, status: int = 200) -> None:
        self.driver.set_window_size(*size)
        self.driver.get(f"{self.base}{path}")
        self.check(name, size, status=status)

    def check(
        self, name: str, size: tuple[int, int], *, scroll_ok: bool = False, status: int = 200
    ) -> None:
        """``status``: an error page expected for this very address (its console line is
        the only one allowed; the page must still be the framed one)."""
        driver = self.driver
        where = f"{self.role} {name} {size[0]}px ({driver.current_url})"
        expected = (
            f"{driver.current_url} - Failed to load resource: "
            f"the server responded with a status of {status}"
        )
        errors = [
            entry["message"]
            for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE"
            and not (status != 200 and entry["message"].startswith(expected))
        ]
        assert errors == [], where
        assert driver.find_elements("id", "header"), f"bare page without the admin frame: {where}"
        assert driver.find_element("tag name", "html").get_attribute("lang") == "id", where
        width, client = driver.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if not scroll_ok:
            assert width <= client, f"horizontal scrollbar ({width} > {client}): {where}"
        for point in driver.find_elements("css selector", "svg.lw-map circle.lw-point"):
            inside = driver.execute_script(
                "var p = arguments[0].getBoundingClientRect(),"
                " m = arguments[0].ownerSVGElement.getBoundingClientRect();"
                "return p.left >= m.left && p.right <= m.right"
                " && p.top >= m.top && p.bottom <= m.bottom && p.width > 0;",
                point,
            )
            assert inside, f"map point outside the map: {where}"
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(size[0], min(max(height, size[1]), 2400))
        driver.save_screenshot(str(SCREENSHOTS / f"{self.role}-{name}-{size[0]}.png"))
        driver.set_window_size(*size)

    def sla_visible_on_phone(self) -> None:
        badge = self.driver.find_element("css selector", "#result_list .lw-sla")
        right = self.driver.execute_script(
            "return arguments[0].getBoundingClientRect().right", badge
        )
        assert badge.is_displayed()
        assert right <= PHONE[0], f"SLA cut off on a phone ({right} px)"

    def queue_and_ticket(self, ticket: Report) -> None:
        """The queue at 1440 and 390 px, then the ticket page at both widths."""
        for size in (DESKTOP, PHONE):
            self.open(QUEUE, "antrean", size)
            assert ticket.public_id in self.driver.page_source
            assert "Sisa waktu SLA" in self.driver.page_source
            if size == PHONE:
                self.sla_visible_on_phone()
            self.open(f"{QUEUE}{ticket.pk}/change/", "tiket", size)
            assert "lw-boundary" in self.driver.page_source


def test_central_triage(chromium: Any, live_server: Any, world: dict[str, Any]) -> None:
    walk = Walk(chromium, live_server.url, "triase")
    walk.sign_in("triase")
    walk.queue_and_ticket(world["returned"])
    # the queue narrowed to nothing says why, inside the admin
    walk.open(f"{QUEUE}?sla=ok&status__exact=selesai", "antrean-kosong", PHONE)
    assert "Tidak ada tiket yang cocok" in chromium.page_source


def test_unit_officer(chromium: Any, live_server: Any, world: dict[str, Any]) -> None:
    walk = Walk(chromium, live_server.url, "petugas")
    walk.sign_in("petugas.gambir")
    walk.queue_and_ticket(world["gambir"])
    # a hand-edited link: the queue with a message, not "Bad Request (400)"
    walk.open(f"{QUEUE}?reporter=1", "antrean-parameter-asing", DESKTOP)
    assert "tidak punya filter bernama" in chromium.page_source
    # a page the role may not open: the framed 403, in Indonesian
    walk.open(REPORT, "tidak-diizinkan", PHONE, status=403)
    assert "Tidak diizinkan" in chromium.page_source


def test_supervisor(chromium: Any, live_server: Any, world: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By

    walk = Walk(chromium, live_server.url, "supervisor")
    walk.sign_in("supervisor.sda.jakpus")
    walk.queue_and_ticket(world["flood"])
    assert "Identitas pelapor" in chromium.page_source
    assert "nama, telepon" in chromium.page_source  # field labels, not "name, phone"
    assert "verify:" not in chromium.page_source
    # the start page counts the pending requests and leads to the list
    walk.open("/admin/", "beranda", PHONE)
    chromium.find_element(By.CSS_SELECTOR, "#lw-home a").click()
    walk.check("permintaan-identitas", PHONE)
    approve, reject = (str(r.public_id) for r in world["reveal_requests"])
    assert approve in chromium.page_source
    assert reject in chromium.page_source
    # approve one, reject the other with a reason, on a phone
    row = chromium.find_element(By.CSS_SELECTOR, f'tr[data-request="{approve}"]')
    row.find_element(By.CSS_SELECTOR, "button.lw-reveal-approve").click()
    walk.check("permintaan-disetujui", PHONE)
    assert "disetujui sampai" in chromium.page_source
    row = chromium.find_element(By.CSS_SELECTOR, f'tr[data-request="{reject}"]')
    row.find_element(By.NAME, "reason").send_keys("Cukup dihubungi lewat pesan di aplikasi")
    row.find_element(By.CSS_SELECTOR, "button.lw-reveal-reject").click()
    walk.check("permintaan-ditolak", PHONE)
    assert "ditolak; pemohon melihat alasannya" in chromium.page_source
    assert "Tidak ada permintaan pembukaan identitas yang menunggu" in chromium.page_source
    # the ticket page shows both outcomes
    walk.open(f"{QUEUE}{world['flood'].pk}/change/#lw-reveal", "tiket-identitas", PHONE)
    assert "Cukup dihubungi lewat pesan di aplikasi" in chromium.page_source
    assert "Ditolak" in chromium.page_source


def test_manager(chromium: Any, live_server: Any, world: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By

    walk = Walk(chromium, live_server.url, "manajer")
    walk.sign_in("manajer")
    walk.queue_and_ticket(world["flood"])
    for size in (DESKTOP, PHONE):
        walk.open(REPORT, "rekap", size)
        assert "<h1>Rekap kinerja</h1>" in chromium.page_source
        # each chart drawn for a desk and for a phone; the one for this width is shown whole
        assert chromium.page_source.count('class="lw-chart"') == 4
        shown = [
            svg
            for svg in chromium.find_elements(By.CSS_SELECTOR, "svg.lw-chart")
            if svg.is_displayed()
        ]
        assert len(shown) == 2
        for svg in shown:
            box = chromium.execute_script(
                "var r = arguments[0].getBoundingClientRect(); return [r.left, r.right];", svg
            )
            assert box[0] >= 0
            assert box[1] <= size[0], f"chart cut off at {size[0]} px: {box}"
            viewbox = chromium.execute_script(
                "return arguments[0].getAttribute('viewBox')", svg
            ).split()
            assert int(viewbox[2]) == (360 if size == PHONE else 640)
    # a count opens the ticket queue (not JSON), filtered to its tickets
    chromium.set_window_size(*DESKTOP)
    link = chromium.find_element(By.CSS_SELECTOR, "#performance-report td.lw-num a")
    count = int(link.text)
    link.click()
    walk.check("rekap-ke-antrean", DESKTOP)
    assert chromium.current_url.startswith(f"{live_server.url}{QUEUE}?")
    assert len(chromium.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")) == count


def test_data_protection_officer(chromium: Any, live_server: Any, world: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By

    accounts = world["accounts"]
    granted, rejected = world["reveal_requests"]
    report_reveal_grant(reveal_request=granted, actor=accounts["supervisor.sda.jakpus"])
    report_reveal_reject(
        reveal_request=rejected, actor=accounts["supervisor.sda.jakpus"], reason="Tidak perlu"
    )
    walk = Walk(chromium, live_server.url, "dpo")
    walk.sign_in("dpo")
    for size in (DESKTOP, PHONE):
        walk.open("/admin/", "beranda", size)
        assert "identitas pelapor tidak pernah ditampilkan" in chromium.page_source.lower()
        walk.open("/admin/identity/identityaccessevent/", "log-akses", size)
        walk.open(QUEUE, "antrean", size)
        # the DPO holds no tickets: the queue says why instead of a bare "0 laporan"
        assert 'id="lw-empty-hint"' in chromium.page_source
        assert "pejabat pelindungan data" in chromium.page_source
        walk.open(AUDIT, "jejak-audit", size)
        page = chromium.page_source
        for label in ("Pembukaan identitas diminta", "nama, telepon", "Tidak perlu"):
            assert label in page
        for raw in ('"granted_by"', "revealed #", "verify:", "no_grant"):
            assert raw not in page
    # a ticket link opens its metadata, never the reporter
    chromium.find_element(By.CSS_SELECTOR, "#lw-audit td a").click()
    walk.check("metadata-tiket", PHONE)
    assert world["flood"].public_id in chromium.page_source
    assert "Genangan 40 cm" not in chromium.page_source  # not even the description
