"""Area freezes: validation, audit, recomputation and the sweep not breaching frozen tickets."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.core.errors import ApplicationError, Forbidden
from apps.reports.models import Report
from apps.sla import services
from apps.sla.models import AreaFreeze, SlaBreach, SlaClock
from tests.conftest import MONAS, TEBET_ECO_PARK
from tests.factories import StaffFactory
from tests.performance.factories import manager
from tests.sla.factories import make_report

pytestmark = pytest.mark.django_db
JKT = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 7, 6, 9, 0, tzinfo=JKT)


def square(lon: float, lat: float, half: float = 0.005) -> dict[str, Any]:
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


AROUND_MONAS = square(MONAS.x, MONAS.y)
BANDUNG = square(107.6098, -6.9147)
RING = AROUND_MONAS["coordinates"][0]
WITH_HEIGHT = {"type": "Polygon", "coordinates": [[[*p, 1] for p in RING]]}


def _freeze(boss: User, *, now: datetime, **kwargs: Any) -> AreaFreeze:
    values: dict[str, Any] = {
        "geojson": AROUND_MONAS,
        "starts_at": T0 + timedelta(days=2),
        "ends_at": T0 + timedelta(days=4),
        "reason": "Banjir di Gambir",
    }
    values.update(kwargs)
    return services.area_freeze_create(actor=boss, now=now, **values)


def test_frozen_tickets_are_recomputed_and_not_breached_until_the_period_is_made_up() -> None:
    inside = make_report(created_at=T0)
    outside = make_report(created_at=T0)
    Report.objects.filter(pk=outside.pk).update(location=TEBET_ECO_PARK)
    services.sla_sweep(now=T0 + timedelta(minutes=1))
    boss = manager()

    freeze = _freeze(boss, now=T0 + timedelta(days=2))

    assert (freeze.created_by_id, freeze.created_at, freeze.clocks_affected) == (
        boss.pk,
        T0 + timedelta(days=2),
        1,
    )
    assert (freeze.vertex_count, freeze.reason) == (5, "Banjir di Gambir")
    assert SlaClock.objects.get(report=inside).events_seen_id == -1
    at_deadline = services.sla_sweep(now=T0 + timedelta(days=6, hours=1))
    assert (at_deadline.clocks_recomputed, at_deadline.breaches) == (1, 1)
    assert SlaBreach.objects.get().report_id == outside.pk
    clock = SlaClock.objects.get(report=inside)
    assert clock.due_at == T0 + timedelta(days=8)
    assert clock.paused_intervals == [
        {
            "from": (T0 + timedelta(days=2)).isoformat(),
            "to": (T0 + timedelta(days=4)).isoformat(),
            "reason": f"area_freeze:{freeze.pk}",
        }
    ]
    # recomputing gives the same answer
    services.sla_clock_recompute(report=inside, now=T0 + timedelta(days=7))
    assert SlaClock.objects.get(report=inside).due_at == T0 + timedelta(days=8)
    assert services.sla_sweep(now=T0 + timedelta(days=7, hours=23)).breaches == 0
    later = services.sla_sweep(now=T0 + timedelta(days=8, minutes=1))
    assert later.breaches == 1
    assert SlaBreach.objects.get(report=inside).due_at == T0 + timedelta(days=8)


def test_a_report_filed_inside_during_a_freeze_gets_the_rest_of_the_period_paused() -> None:
    boss = manager()
    _freeze(boss, now=T0 + timedelta(days=2))
    report = make_report(created_at=T0 + timedelta(days=3))
    services.sla_sweep(now=T0 + timedelta(days=3, minutes=1))
    # paused from filing until the freeze ends (1 day): due 6 + 1 days after filing
    assert SlaClock.objects.get(report=report).due_at == T0 + timedelta(days=10)


def test_a_freeze_elsewhere_or_over_does_not_touch_the_clock() -> None:
    boss = manager()
    _freeze(boss, now=T0 + timedelta(days=2))
    report = make_report(created_at=T0 + timedelta(days=5))  # filed after the freeze ended
    services.sla_sweep(now=T0 + timedelta(days=5, minutes=1))
    assert SlaClock.objects.get(report=report).due_at == T0 + timedelta(days=11)


BAD = [
    ({"geojson": BANDUNG}, "area", "outside DKI Jakarta"),
    ({"geojson": {"type": "Point", "coordinates": [106.8, -6.2]}}, "area", "Polygon"),
    ({"geojson": "{not json"}, "area", "GeoJSON"),
    (
        {
            "geojson": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [106.82, -6.17],
                        [106.83, -6.18],
                        [106.83, -6.17],
                        [106.82, -6.18],
                        [106.82, -6.17],
                    ]
                ],
            }
        },
        "area",
        "not a valid polygon",
    ),
    (
        {"starts_at": T0 + timedelta(hours=20), "ends_at": T0 + timedelta(days=1)},
        "ends_at",
        "in the past",
    ),
    ({"ends_at": T0 + timedelta(days=2)}, "ends_at", "end after it starts"),
    ({"starts_at": T0 - timedelta(days=3)}, "starts_at", "24 hours"),
    ({"ends_at": T0 + timedelta(days=40)}, "ends_at", "31 days"),
    ({"reason": "   "}, "reason", "blank"),
    ({"geojson": WITH_HEIGHT}, "area", "[lon, lat]: a height"),
    (
        {"geojson": {"type": "Polygon", "coordinates": [[[*p, 1, 2] for p in RING]]}},
        "area",
        "[lon, lat]: a height",
    ),
    (
        {"geojson": {"type": "Polygon", "coordinates": [[[*RING[0], 5], *RING[1:]]]}},
        "area",
        "[lon, lat]: a height",
    ),
    (
        {"geojson": {"type": "MultiPolygon", "coordinates": [WITH_HEIGHT["coordinates"]]}},
        "area",
        "[lon, lat]: a height",
    ),
    (
        {"geojson": {"type": "Polygon", "coordinates": [[[lat, lon] for lon, lat in RING]]}},
        "area",
        "longitude and a latitude in degrees",
    ),
    (
        {"geojson": json.dumps(AROUND_MONAS).replace(str(RING[1][0]), "NaN", 1)},
        "area",
        "longitude and a latitude in degrees",
    ),
]


@pytest.mark.parametrize(("kwargs", "field", "text"), BAD)
def test_bad_freezes_are_refused_with_a_clear_message(
    kwargs: dict[str, Any], field: str, text: str
) -> None:
    make_report(created_at=T0)
    services.sla_sweep(now=T0 + timedelta(minutes=1))
    boss = manager()
    with pytest.raises(ApplicationError) as caught:
        _freeze(boss, now=T0 + timedelta(days=1, hours=12), **kwargs)
    assert caught.value.status == 400
    assert text in " ".join(caught.value.fields[field])
    assert AreaFreeze.objects.count() == 0
    assert SlaClock.objects.get().events_seen_id == 0


def test_vertex_count_is_capped() -> None:
    ring = [[106.82 + 0.00001 * i, -6.17] for i in range(5000)]
    ring += [[106.87, -6.19], [106.82, -6.19], ring[0]]
    with pytest.raises(ApplicationError) as caught:
        _freeze(manager(), now=T0, geojson={"type": "Polygon", "coordinates": [ring]})
    assert "at most 5000" in caught.value.fields["area"][0]
    assert AreaFreeze.objects.count() == 0


def test_only_managers_may_freeze() -> None:
    with pytest.raises(Forbidden):
        _freeze(StaffFactory(), now=T0)
    assert AreaFreeze.objects.count() == 0


def _api(user: User) -> APIClient:
    client = APIClient()
    _token, key = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def test_api_creates_a_freeze_and_refuses_bad_input_and_non_managers() -> None:
    now = timezone.now()
    body = {
        "area": AROUND_MONAS,
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(days=2)).isoformat(),
        "reason": "Banjir",
    }
    boss = manager()
    response = _api(boss).post("/api/v1/sla/area-freezes/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["created_by"], data["reason"], data["vertex_count"]) == (
        boss.username,
        "Banjir",
        5,
    )
    assert data["area"]["type"] == "MultiPolygon"
    past = {
        **body,
        "starts_at": (now - timedelta(hours=2)).isoformat(),
        "ends_at": (now - timedelta(hours=1)).isoformat(),
    }
    response = _api(boss).post("/api/v1/sla/area-freezes/", past, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (
        400,
        "area_freeze_invalid",
    )
    assert "in the past" in response.json()["error"]["message"]
    outside = {**body, "area": BANDUNG}
    response = _api(boss).post("/api/v1/sla/area-freezes/", outside, format="json")
    assert response.status_code == 400
    assert "outside DKI Jakarta" in response.json()["error"]["fields"]["area"][0]
    response = _api(StaffFactory()).post("/api/v1/sla/area-freezes/", body, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "permission_denied")
    assert AreaFreeze.objects.count() == 1


def test_api_refuses_a_third_coordinate_with_a_400_and_stores_nothing() -> None:
    make_report(created_at=timezone.now())
    now = timezone.now()
    body = {
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
        "reason": "Banjir",
    }
    client = _api(manager())
    for area in (
        WITH_HEIGHT,
        {"type": "MultiPolygon", "coordinates": [WITH_HEIGHT["coordinates"]]},
        json.dumps(WITH_HEIGHT),
    ):
        response = client.post("/api/v1/sla/area-freezes/", {**body, "area": area}, format="json")
        assert response.status_code == 400, response.content
        error = response.json()["error"]
        assert (error["code"], list(error["fields"])) == ("area_freeze_invalid", ["area"])
        assert error["fields"]["area"] == [
            "Each position must be [lon, lat]: a height or any third value is not accepted."
        ]
    assert AreaFreeze.objects.count() == 0
    assert SlaClock.objects.filter(events_seen_id=-1).count() == 0


def test_api_refuses_times_without_a_zone_and_takes_any_explicit_zone() -> None:
    now = timezone.now().astimezone(JKT).replace(microsecond=0)
    naive = {
        "area": AROUND_MONAS,
        "starts_at": now.replace(tzinfo=None).isoformat(),
        "ends_at": (now + timedelta(days=1)).replace(tzinfo=None).isoformat(),
        "reason": "Banjir",
    }
    client = _api(manager())
    response = client.post("/api/v1/sla/area-freezes/", naive, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["fields"]) == (
        "invalid",
        {
            "starts_at": ["Give a time zone, e.g. Z or +07:00."],
            "ends_at": ["Give a time zone, e.g. Z or +07:00."],
        },
    )
    assert AreaFreeze.objects.count() == 0
    zoned = {
        **naive,
        "starts_at": now.isoformat(),  # +07:00
        "ends_at": (now + timedelta(days=1)).astimezone(UTC).isoformat(),  # +00:00
    }
    response = client.post("/api/v1/sla/area-freezes/", zoned, format="json")
    assert response.status_code == 201, response.content
    freeze = AreaFreeze.objects.get()
    assert (freeze.starts_at, freeze.ends_at) == (now, now + timedelta(days=1))


def test_admin_form_for_managers_creates_a_freeze_and_officers_are_refused() -> None:
    now = timezone.now().astimezone(JKT)
    form = {
        "area_geojson": json.dumps(AROUND_MONAS),
        "starts_at_0": now.strftime("%Y-%m-%d"),
        "starts_at_1": now.strftime("%H:%M:%S"),
        "ends_at_0": (now + timedelta(days=1)).strftime("%Y-%m-%d"),
        "ends_at_1": now.strftime("%H:%M:%S"),
        "reason": "Banjir rob",
    }
    officer = StaffFactory()
    client = Client()
    client.force_login(officer)
    assert client.post("/admin/sla/areafreeze/add/", form).status_code == 403
    assert AreaFreeze.objects.count() == 0
    boss = manager()
    client.force_login(boss)
    bad = client.post("/admin/sla/areafreeze/add/", {**form, "area_geojson": json.dumps(BANDUNG)})
    assert bad.status_code == 200
    assert "di luar DKI Jakarta" in bad.content.decode()  # the admin speaks Indonesian
    assert AreaFreeze.objects.count() == 0
    response = client.post("/admin/sla/areafreeze/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    freeze = AreaFreeze.objects.get()
    assert (freeze.created_by_id, freeze.reason) == (boss.pk, "Banjir rob")
    assert client.get(f"/admin/sla/areafreeze/{freeze.pk}/change/").status_code == 200
