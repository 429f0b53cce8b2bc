"""The periodic jobs are declared in settings and stored by django-celery-beat's database
scheduler: the SLA sweep every minute, the auto-confirmation of completed tickets."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from apps.reports.models import Report
from apps.reports.tasks import report_auto_confirm
from apps.sla.models import SlaBreach
from apps.sla.tasks import sla_sweep
from apps.triage import services as report_services
from config.celery_app import app
from tests.conftest import MONAS
from tests.triage.triage_helpers import after_photo, near, officer, ticket

pytestmark = pytest.mark.django_db


def _store_the_schedule() -> None:
    """What ``celery beat`` does at start (``DatabaseScheduler.update_from_dict``): each
    entry of the settings' schedule becomes a ``PeriodicTask`` row. (The scheduler itself
    closes the database connection, which a test transaction cannot survive.)"""
    for name, fields in app.conf.beat_schedule.items():
        DatabaseScheduler.Entry.from_entry(name, app=app, **fields)


def test_the_database_scheduler_stores_the_sweep_every_minute_and_the_auto_confirm() -> None:
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"
    _store_the_schedule()
    sweep = PeriodicTask.objects.select_related("crontab").get(name="sla-sweep")
    assert (sweep.task, sweep.enabled) == ("apps.sla.tasks.sla_sweep", True)
    assert (sweep.crontab.minute, sweep.crontab.hour, sweep.crontab.day_of_month) == (
        "*",
        "*",
        "*",
    )
    confirm = PeriodicTask.objects.select_related("crontab").get(name="reports-auto-confirm")
    assert (confirm.task, confirm.crontab.minute) == (
        "apps.reports.tasks.report_auto_confirm",
        "*/15",
    )
    _store_the_schedule()  # a restart stores nothing twice
    assert PeriodicTask.objects.filter(name__in=["sla-sweep", "reports-auto-confirm"]).count() == 2


def test_the_beat_tasks_run_their_services() -> None:
    report = ticket()
    user = officer()
    report_services.report_start(report=report, actor=user, note="Mulai")
    report_services.report_complete(
        report=report, actor=user, note="Beres", photo=after_photo(gps=near(MONAS, 10))
    )
    Report.objects.filter(pk=report.pk).update(
        completed_at=timezone.now() - timedelta(days=3, minutes=1)
    )
    assert report_auto_confirm.delay().get() == 1
    report.refresh_from_db()
    assert report.status == Report.Status.DIKONFIRMASI
    assert sla_sweep.delay().get() == 0
    assert SlaBreach.objects.count() == 0
