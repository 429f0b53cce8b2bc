"""Another reporter's private report answers exactly like an id that never existed (row 1)."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.core.models import OutboxMessage
from apps.reports.models import Report, ReportEvent, ReportMessage, ReportPhoto, ReportSupport
from tests.reports.conftest import client_for
from tests.reports.factories import citizen, complete, file_report, image_bytes, upload

pytestmark = pytest.mark.django_db

MISSING = "LW-2222AA"
CALLS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("get", "{id}/", None),
    ("get", "{id}/timeline/", None),
    ("get", "{id}/photos/1", None),
    ("get", "{id}/photos/1/thumbnail", None),
    ("get", "{id}/messages/", None),
    ("post", "{id}/messages/", {"body": "Halo"}),
    ("post", "{id}/confirm/", {"rating": 5, "comment": "ok"}),
    ("post", "{id}/reopen/", {"reason": "Masih banjir"}),
    ("post", "{id}/support/", None),
]


def _state() -> tuple[Any, ...]:
    return (
        list(Report.objects.order_by("pk").values_list("status", "support_count", "updated_at")),
        ReportEvent.objects.count(),
        ReportMessage.objects.count(),
        ReportSupport.objects.count(),
        ReportPhoto.objects.count(),
        OutboxMessage.objects.count(),
    )


@pytest.mark.parametrize(("method", "path", "body"), CALLS, ids=[c[0] + " " + c[1] for c in CALLS])
def test_someone_elses_private_report_is_indistinguishable_from_a_missing_id(
    reporter_client: APIClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    owner = citizen()
    report = file_report(
        reporter=owner,
        is_public=False,
        photos=[upload(image_bytes("JPEG"), "p.jpg")],
    ).report
    complete(report)
    before = _state()

    def call(public_id: str) -> Any:
        url = "/api/v1/reports/" + path.format(id=public_id)
        return getattr(reporter_client, method)(url, body, format="json")

    theirs, missing = call(report.public_id), call(MISSING)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    assert theirs.content == (
        b'{"error":{"code":"not_found","message":"Data tidak ditemukan.","fields":{}}}'
    )
    assert _state() == before
    # the owner does reach it
    assert client_for(owner.user).get(f"/api/v1/reports/{report.public_id}/").status_code == 200
