import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.routing.models import Area
from apps.routing.services import areas_import

pytestmark = pytest.mark.django_db
GEOJSON = Path(settings.BASE_DIR) / "fixtures" / "jakarta_kelurahan.geojson"


def test_import_counts_every_level_of_jakarta() -> None:
    counts = {
        level: Area.objects.filter(level=level).count()
        for level in ("kelurahan", "kecamatan", "kota", "province")
    }
    assert counts == {"kelurahan": 267, "kecamatan": 44, "kota": 6, "province": 1}


def test_every_area_below_the_province_has_the_parent_named_by_its_code() -> None:
    gambir = Area.objects.select_related("parent__parent__parent").get(code="31.71.01.1001")
    assert [a.code for a in gambir.ancestors()] == ["31.71.01.1001", "31.71.01", "31.71", "31"]
    assert [a.name for a in gambir.ancestors()] == [
        "Gambir",
        "Gambir",
        "Kota Administrasi Jakarta Pusat",
        "DKI Jakarta",
    ]
    assert Area.objects.exclude(level="province").filter(parent__isnull=True).count() == 0


def test_import_is_idempotent_and_updates_in_place() -> None:
    before = dict(Area.objects.values_list("code", "pk"))
    result = areas_import(path=GEOJSON, commit=True)
    assert result.created == {"kelurahan": 0, "kecamatan": 0, "kota": 0, "province": 0}
    assert result.updated == {"kelurahan": 267, "kecamatan": 44, "kota": 6, "province": 1}
    assert dict(Area.objects.values_list("code", "pk")) == before


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    Area.objects.filter(code="31.71.01.1001").update(name="renamed")
    out = io.StringIO()
    call_command("load_areas", str(GEOJSON), "--quiet", stdout=out)
    assert Area.objects.get(code="31.71.01.1001").name == "renamed"
    assert "dry run" in out.getvalue()
    assert "kelurahan: 267 (0 new, 267 updated)" in out.getvalue()


def test_derived_kota_covers_its_kelurahan() -> None:
    jakpus = Area.objects.get(code="31.71")
    gambir = Area.objects.get(code="31.71.01.1001")
    assert jakpus.boundary.contains(gambir.boundary.point_on_surface)
    assert jakpus.boundary.geom_type == "MultiPolygon"


def test_a_file_that_is_not_a_feature_collection_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "Feature"}')
    with pytest.raises(ValueError, match="not a GeoJSON FeatureCollection"):
        areas_import(path=bad, commit=True)
