"""Area freeze polygons (docs/security.md, row 4): a valid polygon inside DKI Jakarta,
bounded in extent and vertex count; anything else is a 400 that stores nothing, never the
500 a whole-world polygon gave ("Antipodal edge detected")."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from apps.sla.models import AreaFreeze
from tests.identity.factories import client_for
from tests.performance.factories import manager

pytestmark = pytest.mark.django_db
URL = "/api/v1/sla/area-freezes/"


def _polygon(*ring: tuple[float, float]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[list(p) for p in (*ring, ring[0])]]}


WHOLE_WORLD = _polygon((-180, -90), (180, -90), (180, 90), (-180, 90))
HEMISPHERE = _polygon((0, -89), (179.9, -89), (179.9, 89), (0, 89))
ACROSS_THE_ANTIMERIDIAN = _polygon((179, -1), (-179, -1), (-179, 1), (179, 1))
JAVA = _polygon((105.0, -8.8), (114.6, -8.8), (114.6, -5.8), (105.0, -5.8))
JAKARTA_AND_A_LOT_MORE = _polygon((106.0, -7.0), (107.5, -7.0), (107.5, -5.9), (106.0, -5.9))
BOWTIE = _polygon((106.82, -6.17), (106.83, -6.18), (106.83, -6.17), (106.82, -6.18))
MANY_VERTICES = {
    "type": "Polygon",
    "coordinates": [
        [[106.82 + 0.000001 * i, -6.17] for i in range(6000)]
        + [[106.83, -6.19], [106.82, -6.19], [106.82, -6.17]]
    ],
}


@pytest.mark.parametrize(
    "area",
    [
        WHOLE_WORLD,
        HEMISPHERE,
        ACROSS_THE_ANTIMERIDIAN,
        JAVA,
        JAKARTA_AND_A_LOT_MORE,
        BOWTIE,
        MANY_VERTICES,
    ],
    ids=["world", "hemisphere", "antimeridian", "java", "jakarta-and-more", "bowtie", "vertices"],
)
def test_a_freeze_area_outside_the_bounds_is_a_400(area: dict[str, Any]) -> None:
    now = timezone.now()
    body = {
        "area": area,
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
        "reason": "Banjir",
    }
    response = client_for(manager()).post(URL, body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "area_freeze_invalid"
    assert error["fields"]["area"]
    assert AreaFreeze.objects.count() == 0


def test_a_polygon_with_a_million_vertices_is_refused_by_size() -> None:
    ring = [[106.82 + 1e-9 * i, -6.17] for i in range(1_000_000)] + [[106.82, -6.17]]
    body = {"area": {"type": "Polygon", "coordinates": [ring]}, "reason": "Banjir"}
    response = client_for(manager()).post(URL, body, format="json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert AreaFreeze.objects.count() == 0
