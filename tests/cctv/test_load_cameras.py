"""``manage.py load_cameras`` on the real fixture (loaded once per session by tests/conftest.py)."""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from apps.cctv.models import Camera, CameraOutage

pytestmark = pytest.mark.django_db
FIXTURE = settings.BASE_DIR / "fixtures" / "jakarta_cctv.geojson"


def _features() -> list[dict]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))["features"]


def test_every_fixture_camera_is_loaded_in_the_kelurahan_the_fixture_names() -> None:
    expected = {f["properties"]["id"]: f["properties"]["kode_kel"] for f in _features()}
    loaded = dict(Camera.objects.values_list("code", "kelurahan__code"))
    assert loaded == expected
    camera = Camera.objects.get(code="streetside-10")
    assert (camera.name, round(camera.location.x, 7), round(camera.location.y, 7)) == (
        "Bendungan Hilir 003",
        106.8076439,
        -6.2055545,
    )
    assert (camera.status, camera.range_m, camera.heading, camera.source) == (
        "offline",
        100,
        None,
        "streetside",
    )
    assert "CC BY 4.0" in camera.attribution
    assert CameraOutage.objects.filter(camera=camera, ended_at__isnull=True).count() == 1


def test_a_second_run_changes_nothing_and_warns_on_doubtful_records() -> None:
    before = list(Camera.objects.order_by("pk").values_list("pk", "updated_at"))
    out, err = io.StringIO(), io.StringIO()
    call_command("load_cameras", str(FIXTURE), "--commit", stdout=out, stderr=err)
    doubtful = sum(1 for f in _features() if f["properties"]["qa_flags"])
    assert out.getvalue().startswith(
        f"cameras: 450 (0 new, 0 updated, 450 unchanged); {doubtful} doubtful"
    )
    assert err.getvalue().count("warning: ") == doubtful
    assert (
        "streetside-966 (Kuningan Barat 003): doubtful record: ['kota_mismatch']" in err.getvalue()
    )
    assert list(Camera.objects.order_by("pk").values_list("pk", "updated_at")) == before
    assert CameraOutage.objects.count() == 450


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    features = _features()[:2]
    features[0]["properties"]["name"] = "Renamed"
    features[1]["properties"]["id"] = "new-camera-1"
    path = tmp_path / "cams.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    out = io.StringIO()
    call_command("load_cameras", str(path), "--quiet", stdout=out)
    assert "1 new, 1 updated" in out.getvalue()
    assert "dry run" in out.getvalue()
    assert not Camera.objects.filter(code="new-camera-1").exists()
    assert not Camera.objects.filter(name="Renamed").exists()
    call_command("load_cameras", str(path), "--quiet", "--commit", stdout=io.StringIO())
    assert Camera.objects.get(code="new-camera-1").kelurahan is not None
    assert Camera.objects.filter(name="Renamed").count() == 1


@pytest.mark.parametrize(
    "content",
    [
        "[]",
        '{"type": "FeatureCollection",'
        ' "features": [{"properties": {"id": "x"}, "geometry": null}]}',
        '{"type": "FeatureCollection", "features": [{"properties": {"id": "x", "name": "y"},'
        ' "geometry": {"type": "LineString", "coordinates": [[1, 2], [3, 4]]}}]}',
    ],
)
def test_a_malformed_file_is_refused_with_nothing_written(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(content)
    with pytest.raises(CommandError):
        call_command("load_cameras", str(path), "--commit", "--quiet", stdout=io.StringIO())
    assert Camera.objects.count() == 450
