"""One deadline: the queue, the staff and citizen APIs and Open311 show and sort by the SLA
clock's ``due_at`` (working days, pauses), not the provisional date set at filing."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from apps.reports.models import Report
from apps.sla.models import SlaClock
from apps.sla.services import sla_sweep
from tests.reports.conftest import client_for
from tests.triage.triage_helpers import officer, ticket

pytestmark = pytest.mark.django_db

LIST = "/api/v1/staff/tickets/"


def test_the_queue_sorts_and_shows_the_clocks_deadline_not_the_provisional_one():
    first, second = ticket(), ticket()
    now = timezone.now()
    # Filed in this order, the provisional dates would put ``first`` at the top ...
    Report.objects.filter(pk=first.pk).update(provisional_due_at=now + timedelta(days=1))
    Report.objects.filter(pk=second.pk).update(provisional_due_at=now + timedelta(days=2))
    sla_sweep(now=now)
    # ... but the clocks (which move with pauses and working days) say the opposite.
    SlaClock.objects.filter(report=first).update(due_at=now + timedelta(days=9))
    SlaClock.objects.filter(report=second).update(due_at=now - timedelta(hours=1))
    client = client_for(officer())
    rows = client.get(LIST).json()["results"]
    assert [row["id"] for row in rows] == [second.public_id, first.public_id]
    assert rows[0]["sla_left_seconds"] < 0 < rows[1]["sla_left_seconds"]
    due = SlaClock.objects.get(report=first).due_at
    assert rows[1]["sla_due_at"] == due.astimezone(timezone.get_current_timezone()).isoformat()
    overdue = client.get(LIST, {"sla": "overdue"}).json()["results"]
    assert [row["id"] for row in overdue] == [second.public_id]


def test_open311_expected_datetime_is_the_clocks_deadline(api_client):
    report = ticket()
    sla_sweep()
    due = (timezone.now() + timedelta(days=11)).replace(microsecond=0)
    SlaClock.objects.filter(report=report).update(due_at=due)
    body = api_client.get(f"/open311/v2/requests/{report.public_id}.json").json()
    assert body[0]["expected_datetime"] == due.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_paused_clock_has_no_deadline_to_show(api_client):
    report = ticket()
    sla_sweep()
    SlaClock.objects.filter(report=report).update(due_at=None)
    row = client_for(officer()).get(LIST).json()["results"][0]
    assert (row["id"], row["sla_due_at"], row["sla_left_seconds"]) == (report.public_id, None, None)
