"""The dashboard's pages and JSON: privacy, the duty view's scope, bad input (docs/dashboard.md)."""

import json
import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from apps.cctv.models import Camera, Clip
from apps.dashboard.services import dashboard_refresh
from apps.routing.models import Area
from tests.dashboard.factories import GAMBIR, NOW, PRIVATE_POINTS, PUBLIC_POINTS, build_world
from tests.factories import staff_in

pytestmark = pytest.mark.django_db

CITY_JSON = "/dashboard/peta.json"
CLUSTERS = "/dashboard/klaster.json"
GAMBIR_PAGE = f"/dashboard/kelurahan/{GAMBIR}/"
GAMBIR_JSON = f"/dashboard/kelurahan/{GAMBIR}/peta.json"
PUBLIC_URLS = ["/dashboard/", CITY_JSON, f"{CLUSTERS}?z=14&bbox=106.7,-6.3,106.9,-6.1",
               GAMBIR_PAGE, GAMBIR_JSON]  # fmt: skip


@pytest.fixture
def world() -> Any:
    with time_machine.travel(NOW, tick=False):
        built = build_world()
        dashboard_refresh(now=NOW)
        yield built


def _coordinate_pairs(lon: float, lat: float) -> list[tuple[str, str]]:
    """Every way a page could print the point: 4 to 6 decimals, dot or comma."""
    pairs = [(str(lon), str(lat))]  # the shortest form, as JSON prints it
    for digits in (4, 5, 6):
        x, y = f"{lon:.{digits}f}", f"{lat:.{digits}f}"
        pairs += [(x, y), (x.replace(".", ","), y.replace(".", ","))]
    return pairs


def _printed(pair: tuple[str, str], text: str) -> bool:
    """Longitude and latitude as whole numbers close together (either order) in ``text``:
    a lone value can be a boundary vertex, a pair is a place."""
    x, y = (re.escape(v) for v in pair)
    edge_l, edge_r = r"(?<![\d.,])", r"(?!\d)"
    near = r".{0,40}?"
    first = rf"{edge_l}{x}{edge_r}{near}{edge_l}{y}{edge_r}"
    second = rf"{edge_l}{y}{edge_r}{near}{edge_l}{x}{edge_r}"
    pattern = f"{first}|{second}"
    return re.search(pattern, text, re.S) is not None


def _leaks(text: str, world: Any) -> list[str]:
    found = []
    for name in ("g3", "g5"):
        report = world.reports[name]
        if report.public_id in text:
            found.append(f"{name} public id")
        for pair in _coordinate_pairs(*PRIVATE_POINTS[name]):
            if _printed(pair, text):
                found.append(f"{name} location {pair}")
    for report in world.reports.values():
        if report.reporter.pseudonym in text:
            found.append("reporter pseudonym")
        if report.description in text:
            found.append("description")
    return found


def _linked_json(html: str) -> list[str]:
    """The JSON URLs a page loads (the map's data attributes)."""
    return re.findall(r'data-(?:map|cluster)-url="([^"]+)"', html)


@pytest.mark.parametrize("language", ["id", "en"])
def test_public_pages_and_their_json_show_no_private_location_pii_or_media(
    world: Any, language: str
) -> None:
    camera = Camera.objects.filter(kelurahan__code=GAMBIR).first()
    assert camera is not None
    clip = Clip.objects.create(
        camera=camera,
        starts_at=NOW - timedelta(minutes=5),
        ends_at=NOW,
        storage_uri="demo://clips/secret-footage-7f3a.mp4",
        poster_uri="demo://clips/secret-poster-7f3a.jpg",
        sha256="0" * 64,
        size_bytes=1,
        retain_until=NOW + timedelta(days=30),
    )
    clip_refs = [clip.storage_uri, clip.poster_uri, str(clip.uid), "secret-footage"]
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    seen: dict[str, str] = {}
    queue = list(PUBLIC_URLS)
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        seen[url] = response.content.decode()
        queue += [u for u in _linked_json(seen[url]) if "klaster" not in u]
    assert len(seen) == len(PUBLIC_URLS)
    for url, text in seen.items():
        assert _leaks(text, world) == [], url
        assert not [ref for ref in clip_refs if ref in text], url
    # Positive controls: the public reports are there, and the detector finds their places.
    assert world.reports["g4"].public_id in seen[GAMBIR_JSON]
    assert any(_printed(p, seen[GAMBIR_JSON]) for p in _coordinate_pairs(*PUBLIC_POINTS["g4"]))


def test_numbers_in_svg_json_and_attributes_are_not_localized(world: Any) -> None:
    with translation.override("id"):
        html = Client(HTTP_ACCEPT_LANGUAGE="id").get("/dashboard/").content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert not re.search(r'(?:x|y|width|height)="\d+,\d', svg)
    points = json.loads(Client().get(GAMBIR_JSON).content)["points"]
    assert all(isinstance(p["lon"], float) for p in points)


def test_the_city_map_is_under_50_kb_gzip(world: Any) -> None:
    response = Client(HTTP_ACCEPT_ENCODING="gzip").get(CITY_JSON)
    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) < 50_000
    assert len(json.loads(Client().get(CITY_JSON).content)["features"]) == 267


def test_the_kelurahan_page_lists_its_cameras_with_status_only(world: Any) -> None:
    cameras = Camera.objects.filter(kelurahan__code=GAMBIR)
    html = Client().get(GAMBIR_PAGE).content.decode()
    data = json.loads(Client().get(GAMBIR_JSON).content)
    assert {c["code"] for c in data["cameras"]} == set(cameras.values_list("code", flat=True))
    assert all(set(c) == {"code", "name", "status", "lon", "lat"} for c in data["cameras"])
    for camera in cameras:
        assert camera.name.replace("&", "&amp;") in html or camera.name in html
        if camera.source_url:
            assert camera.source_url not in html


def test_pages_are_indonesian_first_and_english_on_request(world: Any) -> None:
    indonesian = Client().get("/dashboard/").content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/dashboard/").content.decode()
    assert 'lang="id"' in indonesian
    assert "Laporan bulan ini" in indonesian
    assert 'lang="en"' in english
    assert "Reports this month" in english


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["99.99.99.9999", "31.71.01.100", "3171011001"])
def test_an_unknown_kelurahan_is_the_404_page(world: Any, code: str) -> None:
    assert Client().get(f"/dashboard/kelurahan/{code}/").status_code == 404
    response = Client().get(f"/dashboard/kelurahan/{code}/peta.json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_kelurahan_code_that_is_not_a_code_is_404() -> None:
    for path in ("/dashboard/kelurahan/abc/", "/dashboard/kelurahan/31.71'--/"):
        assert Client().get(path).status_code == 404


HOSTILE = [
    (CLUSTERS, {}),
    (CLUSTERS, {"z": "abc", "bbox": "106.7,-6.3,106.9,-6.1"}),
    (CLUSTERS, {"z": "1e309", "bbox": "106.7,-6.3,106.9,-6.1"}),
    (CLUSTERS, {"z": "-1", "bbox": "106.7,-6.3,106.9,-6.1"}),
    (CLUSTERS, {"z": "11", "bbox": "nan,-6.3,106.9,-6.1"}),
    (CLUSTERS, {"z": "11", "bbox": "inf,-6.3,106.9,-6.1"}),
    (CLUSTERS, {"z": "11", "bbox": "106.9,-6.3,106.7,-6.1"}),
    (CLUSTERS, {"z": "11", "bbox": "1,2,3"}),
    (CLUSTERS, {"z": "11", "bbox": "106.7,-6.3,106.9,-6.1", "x": "1"}),
    (CLUSTERS, {"z": "11", "bbox": "9" * 500}),
    (CLUSTERS, {"z": "11\x00", "bbox": "106.7,-6.3,106.9,-6.1"}),
    ("/dashboard/", {"warna": "<script>"}),
    ("/dashboard/", {"utm_source": "x"}),
    (GAMBIR_PAGE, {"page": "2"}),
    (CITY_JSON, {"format": "xml"}),
    (GAMBIR_JSON, {"bbox": "1"}),
]


@pytest.mark.parametrize(("url", "query"), HOSTILE)
def test_hostile_query_parameters_are_400_in_the_one_error_shape(
    world: Any, url: str, query: dict[str, str]
) -> None:
    response = Client().get(url, query)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "invalid"
    assert body["error"]["fields"]


def test_a_repeated_parameter_is_400(world: Any) -> None:
    response = Client().get(f"{CLUSTERS}?z=11&z=12&bbox=106.7,-6.3,106.9,-6.1")
    assert response.status_code == 400
    assert "z" in response.json()["error"]["fields"]


# --- the duty view --------------------------------------------------------------------------


def _monitor(code: str = GAMBIR) -> Client:
    user = staff_in(f"KELURAHAN-{code}", "monitor")
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_users_get_the_login_page() -> None:
    for url in ("/dashboard/piket/", "/dashboard/piket/antrean/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/dashboard/masuk/?next=")
    page = Client().get("/dashboard/masuk/?next=/dashboard/piket/")
    assert page.status_code == 200
    assert 'name="password"' in page.content.decode()


def test_a_gambir_monitor_sees_gambir_open_tickets_and_nothing_else(world: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        html = _monitor().get("/dashboard/piket/").content.decode()
        fragment = _monitor().get("/dashboard/piket/antrean/").content.decode()
    r = world.reports
    for text in (html, fragment):
        for name in ("g4", "g5", "g6"):  # open in Gambir, private g5 included (no point)
            assert r[name].public_id in text, name
        for name in ("g1", "g2", "g3", "g7", "t1"):  # closed, merged, or in Tebet Timur
            assert r[name].public_id not in text, name
        for report in r.values():
            assert report.reporter.pseudonym not in text
            assert report.description not in text
        for pair in _coordinate_pairs(*PRIVATE_POINTS["g5"]):
            assert not _printed(pair, text)


def test_a_monitor_of_another_kelurahan_sees_none_of_gambir(world: Any) -> None:
    client = _monitor("31.74.01.1001")  # Tebet Timur
    with time_machine.travel(NOW, tick=False):
        html = client.get("/dashboard/piket/").content.decode()
        data = client.get("/dashboard/piket/antrean/").content.decode()
    for report in world.reports.values():
        if report.area.code == GAMBIR:
            assert report.public_id not in html
            assert report.public_id not in data
    assert "Tebet Timur" in html


def test_an_officer_or_a_manager_without_a_monitor_grant_is_refused(world: Any) -> None:
    officer = Client()
    officer.force_login(staff_in(f"KELURAHAN-{GAMBIR}", "officer"))
    assert officer.get("/dashboard/piket/").status_code == 403
    response = officer.get("/dashboard/piket/antrean/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_duty_view_is_read_only(world: Any, method: str) -> None:
    before = {r.pk: (r.status, r.updated_at) for r in world.reports.values()}
    client = _monitor()
    for url in ("/dashboard/piket/", "/dashboard/piket/antrean/"):
        assert getattr(client, method)(url).status_code == 405
    for report in world.reports.values():
        report.refresh_from_db()
        assert (report.status, report.updated_at) == before[report.pk]


def test_public_pages_refuse_writes(world: Any) -> None:
    for url in PUBLIC_URLS:
        assert Client().post(url.split("?")[0]).status_code == 405


def test_the_demo_monitor_is_bound_to_gambir(world: Any) -> None:
    from django.core.management import call_command

    from apps.accounts.models import User
    from apps.dashboard.selectors import monitored_kelurahan

    call_command("seed_reference_data", "--demo", verbosity=0)
    user = User.objects.get(username="fkdm.gambir")
    assert [a.code for a in monitored_kelurahan(user=user)] == [GAMBIR]
    assert Area.objects.filter(code=GAMBIR).exists()
