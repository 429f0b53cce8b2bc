"""GET requests answers at most 1,000 requests, the newest, in one query."""

import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.open311.api.serializers import MAX_REQUESTS
from apps.reports.codes import new_public_id
from apps.reports.models import Report
from tests.factories import ReporterFactory
from tests.open311.factories import file_report

pytestmark = pytest.mark.django_db


def test_the_list_is_capped_at_1000_newest_first(
    client: Client, django_assert_num_queries: object
) -> None:
    assert MAX_REQUESTS == 1000
    template = file_report(reporter=ReporterFactory())
    Report.objects.filter(pk=template.pk).update(created_at=timezone.now() - timedelta(hours=1))
    clones = []
    for _ in range(1000):  # 1,001 public reports in all; the template is the oldest
        clone = Report.objects.get(pk=template.pk)
        clone.pk = None
        clone.public_id = new_public_id()
        clone.client_request_id = uuid.uuid4()
        clones.append(clone)
    Report.objects.bulk_create(clones)  # created_at: now, rising with the insert order
    newest = list(Report.objects.order_by("-created_at", "-pk").values_list("public_id", flat=True))

    with django_assert_num_queries(1):  # type: ignore[operator]
        response = client.get("/open311/v2/requests.json")
    assert response.status_code == 200
    rows = json.loads(response.content)
    assert len(rows) == 1000
    assert template.public_id not in {row["service_request_id"] for row in rows}
    assert [row["service_request_id"] for row in rows] == newest[:1000]
    assert newest[1000] == template.public_id
