"""End to end in headless Chromium: an officer opens a ticket whose CCTV clip was linked
automatically, sees the camera's sector on the map, presses Play, and the clip plays in the
page (an HTML5 video, a real H.264 file recorded by the demo VMS's ffmpeg). The play is logged.

Needs Debian's ``chromium``, ``chromium-driver`` and ``ffmpeg`` (the set-up installs them);
without them the test is skipped with the reason.
"""

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from apps.accounts.models import Agency
from apps.accounts.services import membership_set, staff_user_upsert
from apps.cctv.demo_vms import DemoVms
from apps.cctv.services import clips_ingest, vms_assign_cameras, vms_register
from apps.reports.models import ClipPlay, ReportClip
from tests.cctv.factories import GAMBIR_038, offset, online_since, set_sector
from tests.e2e.conftest import CHROMEDRIVER, CHROMIUM
from tests.reports.factories import citizen, file_report
from tests.triage.triage_helpers import SDA_JAKPUS

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists() or not CHROMEDRIVER.exists() or shutil.which("ffmpeg") is None,
        reason="needs chromium, chromium-driver and ffmpeg (apt-get install ...)",
    ),
]

PASSWORD = "e2e-password-Sda-1"


def test_an_officer_plays_the_linked_clip_in_the_ticket_page(
    browser: Any,
    live_server: Any,
    tmp_path: Path,
    settings: Any,
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    settings.CCTV_DEMO_MEDIA_DIR = tmp_path / "cctv"
    vms, key = vms_register(code="demo", name="Demo VMS", key="demo-vms-key")
    vms_assign_cameras(vms=vms, codes=[GAMBIR_038])
    set_sector(GAMBIR_038, heading=200, fov=90)
    camera = online_since(GAMBIR_038, timezone.now() - timedelta(days=1))
    start = datetime.now(tz=UTC).replace(microsecond=0) - timedelta(minutes=3)
    recorder = DemoVms(base_url=live_server.url, key=key, clip_seconds=4)
    item = recorder.record(camera=GAMBIR_038, start=start, seconds=4)
    assert clips_ingest(vms=vms, items=[item]).items[0].status == 201
    report = file_report(
        reporter=citizen(),
        location=offset(camera.location, 40, 200),
        occurred_at=start + timedelta(minutes=1),
    ).report
    link = ReportClip.objects.get(report=report)  # linked by the outbox after commit
    officer = staff_user_upsert(username="sda.e2e", password=PASSWORD)
    membership_set(user=officer, agency=Agency.objects.get(code=SDA_JAKPUS), role="officer")

    browser.get(f"{live_server.url}/admin/login/?next=/admin/reports/report/{report.pk}/change/")
    browser.find_element(By.NAME, "username").send_keys("sda.e2e")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    figure = WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, f'figure[data-clip="{link.clip.uid}"]')
        )
    )
    assert browser.find_element(By.CSS_SELECTOR, f'g[data-camera="{GAMBIR_038}"] path.lw-sector')
    assert figure.find_element(By.CLASS_NAME, "lw-offset").text == "-1:00"
    browser.execute_script("arguments[0].scrollIntoView()", figure)
    figure.find_element(By.CSS_SELECTOR, "button.lw-play").click()

    def playing(driver: Any) -> bool:
        state = driver.execute_script(
            "var v = arguments[0].querySelector('video');"
            "return [v.readyState, v.currentTime, v.videoWidth, v.error && v.error.code];",
            figure,
        )
        assert state[3] is None, f"media error {state[3]}"
        return state[0] >= 2 and state[1] > 0 and state[2] == 320

    WebDriverWait(browser, 30).until(playing)
    play = ClipPlay.objects.get()
    assert (play.user, play.report, play.clip_uid, play.purpose) == (
        officer,
        report,
        link.clip.uid,
        "investigation",
    )
