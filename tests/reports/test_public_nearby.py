import json
from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.test import Client
from django.utils import timezone

from apps.reports.models import Report
from tests.conftest import MONAS
from tests.factories import ReporterFactory
from tests.open311.factories import file_report
from tests.reports.transitions import report_transition

pytestmark = pytest.mark.django_db

NEAR_MONAS = "?lat=-6.1754&lon=106.8272&category=banjir"


def test_nearby_lists_open_public_reports_of_the_category_within_250_m(
    client: Client, django_assert_num_queries: object
) -> None:
    citizen = ReporterFactory(pseudonym="Warga-DEKAT")
    at_monas = file_report(reporter=citizen)
    at_100_m = file_report(location=Point(106.8272, -6.1763, srid=4326))  # ~100 m south
    file_report(location=Point(106.8272, -6.1781, srid=4326))  # ~300 m: too far
    file_report(category="sampah")  # another category
    file_report(is_public=False)  # private
    closed = file_report()
    report_transition(report=closed, to=Report.Status.DITOLAK, actor=None, note="Duplikat")
    old = file_report()
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))

    # GeoDjango reads SRID 4326's definition from spatial_ref_sys once per process; warm it
    # so the count is the request's own, whatever ran before
    client.get("/api/v1/reports/nearby/" + NEAR_MONAS)
    with django_assert_num_queries(1):  # type: ignore[operator]
        response = client.get("/api/v1/reports/nearby/" + NEAR_MONAS)
    assert response.status_code == 200
    rows = json.loads(response.content)
    assert [row["public_id"] for row in rows] == [at_monas.public_id, at_100_m.public_id]
    assert rows[0]["distance_m"] == 0.0
    assert 99.0 < rows[1]["distance_m"] < 101.0
    assert rows[0] == {
        "public_id": at_monas.public_id,
        "category": "banjir",
        "status": "menunggu",
        "description": at_monas.description,
        "support_count": 0,
        "created_at": rows[0]["created_at"],
        "distance_m": 0.0,
        "lat": MONAS.y,
        "lon": MONAS.x,
    }
    assert "Warga-DEKAT" not in response.content.decode()


def test_nearby_of_an_unknown_category_is_empty(client: Client) -> None:
    file_report()
    response = client.get("/api/v1/reports/nearby/?lat=-6.1754&lon=106.8272&category=tidak_ada")
    assert (response.status_code, json.loads(response.content)) == (200, [])


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?lat=-6.1754&lon=106.8272",
        "?lat=nan&lon=106.8272&category=banjir",
        "?lat=-91&lon=106.8272&category=banjir",
        "?lat=-6.1754&lon=181&category=banjir",
        "?lat=x&lon=106.8272&category=banjir",
        "?lat=-6.1754&lon=106.8272&category=b%00",
    ],
)
def test_nearby_bad_input_is_a_400(client: Client, query: str) -> None:
    response = client.get("/api/v1/reports/nearby/" + query)
    assert response.status_code == 400
    assert json.loads(response.content)["error"]["code"] == "invalid"
