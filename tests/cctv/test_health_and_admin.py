"""Camera health (heartbeat timeout, outages), the managers' offline list, the camera admin
and its sector map, and the periodic tasks as stored by the beat scheduler."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from apps.accounts.roles import OrgRole
from apps.accounts.services import user_grant_org_role
from apps.cctv.models import Camera, CameraOutage
from apps.cctv.services import camera_health_sweep, camera_heartbeat
from config.celery_app import app
from tests.cctv.factories import GAMBIR_038, GAMBIR_039, KAMPUNG_BALI, set_sector, vms_with
from tests.factories import StaffFactory
from tests.triage.triage_helpers import SDA_JAKPUS, officer

pytestmark = pytest.mark.django_db


def test_a_camera_without_a_heartbeat_for_15_minutes_goes_offline_from_its_last_one() -> None:
    now = timezone.now()
    fresh = camera_heartbeat(camera=Camera.objects.get(code=GAMBIR_038), status="online")
    stale = camera_heartbeat(camera=Camera.objects.get(code=GAMBIR_039), status="online")
    Camera.objects.filter(pk=stale.pk).update(last_seen=now - timedelta(minutes=16))
    Camera.objects.filter(pk=fresh.pk).update(last_seen=now - timedelta(minutes=14))
    assert camera_health_sweep(now=now) == 1
    assert dict(
        Camera.objects.filter(pk__in=[fresh.pk, stale.pk]).values_list("code", "status")
    ) == {GAMBIR_038: "online", GAMBIR_039: "offline"}
    outage = CameraOutage.objects.get(camera=stale, ended_at__isnull=True)
    assert outage.started_at == now - timedelta(minutes=16)
    assert camera_health_sweep(now=now) == 0  # nothing new
    camera_heartbeat(camera=stale, status="online")
    assert CameraOutage.objects.get(pk=outage.pk).ended_at is not None


def _manager() -> StaffFactory:
    user = StaffFactory()
    user_grant_org_role(user=user, role=OrgRole.MANAGER)
    return user


def test_managers_see_offline_cameras_per_kota_and_officers_do_not() -> None:
    camera_heartbeat(camera=Camera.objects.get(code=GAMBIR_038), status="online")
    browser = Client()
    browser.force_login(_manager())
    page = browser.get("/admin/cctv/camera/offline/")
    assert page.status_code == 200
    html = page.content.decode()
    offline = Camera.objects.exclude(status="online").filter(kelurahan__code__startswith="31.71.")
    assert f"Kota Administrasi Jakarta Pusat ({offline.count()})" in html
    assert KAMPUNG_BALI in html
    assert f">{GAMBIR_038}<" not in html  # online now
    other = Client()
    other.force_login(officer(SDA_JAKPUS))
    assert other.get("/admin/cctv/camera/offline/").status_code == 403


def test_the_camera_admin_draws_sectors_and_saves_edits_through_the_service() -> None:
    admin_user = StaffFactory(is_superuser=True)
    browser = Client()
    browser.force_login(admin_user)
    set_sector(GAMBIR_039, heading=90, fov=60)
    listing = browser.get("/admin/cctv/camera/?q=Gambir").content.decode()
    assert 'class="lw-cctv-map"' in listing
    assert f'data-camera="{GAMBIR_039}"' in listing
    camera = Camera.objects.get(code=GAMBIR_038)
    url = f"/admin/cctv/camera/{camera.pk}/change/"
    page = browser.get(url).content.decode()
    assert 'class="lw-cctv-map"' in page
    form = {
        "name": "Gambir 038",
        "heading": "45",
        "fov": "90",
        "range_m": "80",
        "owner": "Diskominfotik",
        "vms": "",
        "maintenance": "on",
    }
    assert browser.post(url, form).status_code == 302
    camera.refresh_from_db()
    assert (camera.heading, camera.fov, camera.range_m, camera.status) == (
        45,
        90,
        80,
        "maintenance",
    )
    assert CameraOutage.objects.get(camera=camera, ended_at__isnull=True).status == "maintenance"
    bad = browser.post(url, {**form, "heading": "400"})
    assert bad.status_code == 200  # the form again, with the error
    camera.refresh_from_db()
    assert camera.heading == 45


def test_the_cctv_periodic_tasks_are_stored_by_the_database_scheduler() -> None:
    for name, fields in app.conf.beat_schedule.items():
        DatabaseScheduler.Entry.from_entry(name, app=app, **fields)
    tasks = dict(PeriodicTask.objects.filter(name__startswith="cctv-").values_list("name", "task"))
    assert tasks == {
        "cctv-health": "apps.cctv.tasks.camera_health_sweep",
        "cctv-evidence-holds": "apps.reports.tasks.evidence_holds_refresh",
        "cctv-retention": "apps.cctv.tasks.clip_retention_sweep",
    }
    app.loader.import_default_modules()  # what a worker does at start (autodiscovery)
    assert set(tasks.values()) <= set(app.tasks)


def test_a_vms_address_typed_without_a_scheme_is_saved_as_https() -> None:
    vms = vms_with(code="vms-url")
    browser = Client()
    browser.force_login(StaffFactory(is_superuser=True))
    url = f"/admin/cctv/vms/{vms.pk}/change/"
    form = {"name": "VMS Balai Kota", "backend": vms.backend, "base_url": "vms.jakarta.go.id/api"}
    assert browser.post(url, {**form, "is_active": "on"}).status_code == 302
    vms.refresh_from_db()
    assert vms.base_url == "https://vms.jakarta.go.id/api"
