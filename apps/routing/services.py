"""Writes for geography and routing: the boundary import and the reference catalogue."""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.gis.db.models import Union
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Left

from apps.accounts.models import Agency, Sector
from apps.core.db import run_or_roll_back
from apps.routing.models import Area, Category

PROVINCE_CODE = "31"
PROVINCE_NAME = "DKI Jakarta"

_PARENT_LEVEL = {
    Area.Level.KELURAHAN: Area.Level.KECAMATAN,
    Area.Level.KECAMATAN: Area.Level.KOTA,
    Area.Level.KOTA: Area.Level.PROVINCE,
}


@dataclass
class AreaImportResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    committed: bool = False

    def total(self, level: str) -> int:
        return self.created.get(level, 0) + self.updated.get(level, 0)


def _multipolygon(geometry: GEOSGeometry) -> MultiPolygon:
    if isinstance(geometry, MultiPolygon):
        return geometry
    if isinstance(geometry, Polygon):
        return MultiPolygon(geometry, srid=geometry.srid)
    # A union can in theory produce a collection with stray lines; keep the polygons.
    polygons = [g for g in geometry if isinstance(g, Polygon)]  # type: ignore[attr-defined]
    return MultiPolygon(*polygons, srid=geometry.srid)


def _read_features(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    if data.get("type") != "FeatureCollection":
        raise ValueError(f"{path} is not a GeoJSON FeatureCollection")
    features: list[dict[str, Any]] = data["features"]
    required = {"kode_kel", "kelurahan", "kode_kec", "kecamatan", "kode_kab", "kota"}
    for index, feature in enumerate(features):
        missing = required - set(feature.get("properties", {}))
        if missing:
            raise ValueError(f"feature {index} lacks {sorted(missing)}")
    return features


def areas_import(
    *,
    path: Path,
    commit: bool,
    progress: Callable[[Iterable[Any]], Iterable[Any]] = lambda it: it,
) -> AreaImportResult:
    """Upsert the kelurahan of ``path`` by code and derive kecamatan, kota and province.

    Idempotent: a second run updates rows in place. Without ``commit`` everything runs in a
    transaction that is rolled back, so the counts show what a real run would do.
    """
    features = _read_features(path)
    result = AreaImportResult()
    result.committed = run_or_roll_back(
        lambda: _import(features=features, result=result, progress=progress), commit=commit
    )
    return result


def _import(
    *,
    features: list[dict[str, Any]],
    result: AreaImportResult,
    progress: Callable[[Iterable[Any]], Iterable[Any]],
) -> None:
    existing = set(Area.objects.values_list("code", flat=True))
    names: dict[str, str] = {PROVINCE_CODE: PROVINCE_NAME}
    kelurahan: list[Area] = []
    for feature in progress(features):
        props = feature["properties"]
        geometry = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
        if not geometry.valid:
            geometry = geometry.buffer(0)
        names[props["kode_kec"]] = props["kecamatan"]
        names[props["kode_kab"]] = props["kota"]
        kelurahan.append(
            Area(
                level=Area.Level.KELURAHAN,
                code=props["kode_kel"],
                name=props["kelurahan"],
                postal_code=str(props.get("kode_pos") or ""),
                boundary=_multipolygon(geometry),
            )
        )
    _upsert(kelurahan, existing, result, Area.Level.KELURAHAN)

    # Derived levels: one GROUP BY ... ST_Union query each, from the level below.
    source_level = Area.Level.KELURAHAN
    for level in (Area.Level.KECAMATAN, Area.Level.KOTA, Area.Level.PROVINCE):
        grouped = (
            Area.objects.filter(level=source_level)
            .annotate(group_code=Left("code", Area.CODE_LENGTH[level]))
            .values("group_code")
            .annotate(geom=Union("boundary"))
            .order_by("group_code")
        )
        rows = [
            Area(
                level=level,
                code=row["group_code"],
                name=names.get(row["group_code"], row["group_code"]),
                boundary=_multipolygon(row["geom"]),
            )
            for row in grouped
        ]
        _upsert(rows, existing, result, level)
        source_level = level

    for child_level, parent_level in _PARENT_LEVEL.items():
        Area.objects.filter(level=child_level).update(
            parent=Subquery(
                Area.objects.filter(
                    level=parent_level, code=Left(OuterRef("code"), Area.CODE_LENGTH[parent_level])
                ).values("pk")[:1]
            )
        )


def _upsert(rows: list[Area], existing: set[str], result: AreaImportResult, level: str) -> None:
    Area.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["level", "name", "postal_code", "boundary"],
        batch_size=100,
    )
    created = sum(1 for row in rows if row.code not in existing)
    result.created[level] = created
    result.updated[level] = len(rows) - created


# ---------------------------------------------------------------- reference catalogue


@dataclass(frozen=True)
class DinasSpec:
    sector: str
    code: str
    name: str
    short_name: str
    sudin_name: str  # "Suku Dinas X" — the kota name is appended


def agencies_seed(*, dinas: list[DinasSpec], triage_code: str, triage_name: str) -> int:
    """Create or update the OPD tree from the areas: Dinas + Suku Dinas per kota, Satpol PP,
    BPBD, the kota/kecamatan/kelurahan offices and central triage. Returns the row count."""
    kotas = list(Area.objects.filter(level=Area.Level.KOTA).order_by("code"))
    if not kotas:
        raise ValueError("load the areas first (manage.py load_areas ... --commit)")
    with transaction.atomic():
        count = 0

        def upsert(code: str, **fields: Any) -> Agency:
            nonlocal count
            agency, _ = Agency.objects.update_or_create(code=code, defaults=fields)
            count += 1
            return agency

        upsert(
            triage_code,
            name=triage_name,
            short_name="Triase",
            kind=Agency.Kind.TRIAGE,
            sector=Sector.KOMINFOTIK,
            level=Agency.Level.PROVINCE,
            jurisdiction_code=PROVINCE_CODE,
            parent=None,
        )
        for spec in dinas:
            kind = Agency.Kind.SATPOL_PP if spec.sector == Sector.SATPOL_PP else Agency.Kind.DINAS
            parent = upsert(
                spec.code,
                name=spec.name,
                short_name=spec.short_name,
                kind=kind,
                sector=spec.sector,
                level=Agency.Level.PROVINCE,
                jurisdiction_code=PROVINCE_CODE,
                parent=None,
            )
            if not spec.sudin_name:
                continue  # provincial only (e.g. BPBD)
            for kota in kotas:
                upsert(
                    f"{spec.code}-{kota.code}",
                    name=f"{spec.sudin_name} {kota.name}",
                    short_name=f"{spec.short_name} {kota.name.split('Administrasi ')[-1]}",
                    kind=Agency.Kind.SATPOL_PP
                    if kind == Agency.Kind.SATPOL_PP
                    else Agency.Kind.SUKU_DINAS,
                    sector=spec.sector,
                    level=Agency.Level.KOTA,
                    jurisdiction_code=kota.code,
                    parent=parent,
                )
        offices: dict[str, Agency] = {}
        office_levels = (
            (Area.Level.KOTA, Agency.Kind.KOTA, "Pemerintah"),
            (Area.Level.KECAMATAN, Agency.Kind.KECAMATAN, "Kantor Kecamatan"),
            (Area.Level.KELURAHAN, Agency.Kind.KELURAHAN, "Kantor Kelurahan"),
        )
        for level, kind, prefix in office_levels:
            for area in Area.objects.filter(level=level).defer("boundary").order_by("code"):
                parent_code = area.code.rsplit(".", 1)[0] if level != Area.Level.KOTA else None
                offices[area.code] = upsert(
                    f"{kind.upper()}-{area.code}",
                    name=f"{prefix} {area.name}",
                    short_name=area.name,
                    kind=kind,
                    sector=Sector.PEMERINTAHAN,
                    level=Agency.Level(level),
                    jurisdiction_code=area.code,
                    parent=offices.get(parent_code) if parent_code else None,
                )
    return count


def categories_seed(*, categories: list[dict[str, Any]]) -> int:
    """Upsert the service catalogue by code."""
    with transaction.atomic():
        for index, item in enumerate(categories):
            Category.objects.update_or_create(
                code=item["code"],
                defaults={
                    "name_id": item["name_id"],
                    "name_en": item["name_en"],
                    "description_id": item.get("description_id", ""),
                    "description_en": item.get("description_en", ""),
                    "group": item.get("group", ""),
                    "sector": Sector(item["sector"]),
                    "routing_level": Area.Level(item.get("routing_level", Area.Level.KOTA)),
                    "sla_days": item.get("sla_days", 6),
                    "is_active": item.get("is_active", True),
                    "sort_order": item.get("sort_order", (index + 1) * 10),
                },
            )
    return len(categories)
