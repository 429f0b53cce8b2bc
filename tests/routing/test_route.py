import pytest
from django.contrib.gis.geos import Point
from django.db.models import Count

from apps.accounts.models import Agency
from apps.core.errors import OutsideServiceArea
from apps.routing.models import Area, Category, RoutingRule
from apps.routing.selectors import kelurahan_for_point, route
from tests.conftest import MONAS, TEBET_ECO_PARK

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lon", "lat", "code", "name"),
    [
        (106.8272, -6.1754, "31.71.01.1001", "Gambir"),  # Monas
        (106.8543, -6.2366, "31.74.01.1001", "Tebet Timur"),  # Tebet Eco Park
        (106.8230, -6.1950, "31.71.06.1001", "Menteng"),  # Bundaran HI
        (106.8200, -6.3125, "31.74.04.1004", "Ragunan"),  # Ragunan zoo
    ],
)
def test_real_landmarks_route_to_their_kelurahan(
    lon: float, lat: float, code: str, name: str
) -> None:
    area, explanation = kelurahan_for_point(point=Point(lon, lat, srid=4326))
    assert (area.code, area.name, explanation["match"]) == (code, name, "covers")


def test_flood_at_monas_goes_to_suku_dinas_sda_jakarta_pusat(flood: Category) -> None:
    routing = route(point=MONAS, category=flood)
    assert routing.area.code == "31.71.01.1001"
    assert routing.agency.code == "DINAS-SDA-31.71"
    assert routing.agency.name == "Suku Dinas Sumber Daya Air Kota Administrasi Jakarta Pusat"
    assert routing.explanation == {
        "area_code": "31.71.01.1001",
        "match": "covers",
        "distance_m": 0.0,
        "rule": "sector_default",
        "sector": "sda",
        "level": "kota",
        "fallback": False,
        "category": "banjir",
    }


def test_kelurahan_level_category_goes_to_the_kelurahan_office(other_category: Category) -> None:
    assert route(point=TEBET_ECO_PARK, category=other_category).agency.code == (
        "KELURAHAN-31.74.01.1001"
    )


def test_provincial_category_goes_to_the_provincial_body() -> None:
    routing = route(point=MONAS, category=Category.objects.get(code="bencana"))
    assert (routing.agency.code, routing.explanation["level"]) == ("BPBD", "province")


def test_every_category_routes_to_an_existing_unit_in_every_kota() -> None:
    # One point inside each kota/kabupaten (a kelurahan's point on surface).
    points = [
        Area.objects.filter(level="kelurahan", parent__parent=kota)
        .first()
        .boundary.point_on_surface
        for kota in Area.objects.filter(level="kota")
    ]
    assert len(points) == 6
    for category in Category.objects.filter(is_active=True):
        for point in points:
            routing = route(point=point, category=category)
            assert routing.agency.is_active
            assert routing.agency.sector == category.sector
            assert routing.explanation["fallback"] is False


def test_overlapping_boundaries_pick_the_deepest_polygon_deterministically() -> None:
    # Find a real sliver where two kelurahan overlap, and a point inside it.
    a, b = _overlapping_pair()
    sliver = a.boundary.intersection(b.boundary)
    point = sliver.point_on_surface
    first = kelurahan_for_point(point=point)
    again = kelurahan_for_point(point=point)
    assert first[0].code == again[0].code
    assert first[0].code in {a.code, b.code}
    assert first[1]["match"] == "covers_overlap_deepest"


def test_a_point_in_a_gap_falls_back_to_the_nearest_kelurahan_within_100_m() -> None:
    gambir = Area.objects.get(code="31.71.01.1001")
    # Step outward from the boundary of Monas' kelurahan until no polygon covers the point.
    point = _point_in_gap_near(gambir)
    _area, explanation = kelurahan_for_point(point=point)
    assert explanation["match"] == "nearest_within_limit"
    assert 0 < explanation["distance_m"] <= 100


@pytest.mark.parametrize(
    ("lon", "lat"),
    [
        (106.70, -6.05),  # Java Sea, ~8 km off the coast
        (106.95, -6.40),  # Bekasi/Depok side, outside DKI
        (110.37, -7.80),  # Yogyakarta
        (0.0, 0.0),
    ],
)
def test_points_beyond_100_m_are_outside_the_service_area(
    lon: float, lat: float, flood: Category
) -> None:
    with pytest.raises(OutsideServiceArea):
        route(point=Point(lon, lat, srid=4326), category=flood)


def test_most_specific_routing_rule_wins(flood: Category) -> None:
    kota_rule_agency = Agency.objects.get(code="DINAS-SDA")
    kel_rule_agency = Agency.objects.get(code="KELURAHAN-31.71.01.1001")
    RoutingRule.objects.create(
        category=flood, area=Area.objects.get(code="31.71"), agency=kota_rule_agency
    )
    kel_rule = RoutingRule.objects.create(
        category=flood, area=Area.objects.get(code="31.71.01.1001"), agency=kel_rule_agency
    )
    routing = route(point=MONAS, category=flood)
    assert routing.agency == kel_rule_agency
    assert routing.explanation["rule"] == "routing_rule"
    assert routing.explanation["rule_id"] == kel_rule.pk
    # Elsewhere in Jakarta Pusat the kota rule applies.
    menteng = route(point=Point(106.8230, -6.1950, srid=4326), category=flood)
    assert menteng.agency == kota_rule_agency


def test_missing_suku_dinas_falls_back_to_the_dinas(flood: Category) -> None:
    Agency.objects.filter(code="DINAS-SDA-31.71").update(is_active=False)
    routing = route(point=MONAS, category=flood)
    assert (routing.agency.code, routing.explanation["fallback"]) == ("DINAS-SDA", True)


def test_route_uses_a_bounded_number_of_queries(flood: Category, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(1):  # kelurahan, parents, rule and unit in one statement
        route(point=MONAS, category=flood)


def _overlapping_pair() -> tuple[Area, Area]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.code, b.code FROM routing_area a JOIN routing_area b
              ON a.level = 'kelurahan' AND b.level = 'kelurahan' AND a.code < b.code
             AND ST_Overlaps(a.boundary, b.boundary)
             AND ST_Area(ST_Intersection(a.boundary, b.boundary)::geography) > 500
            ORDER BY a.code, b.code LIMIT 1
            """
        )
        code_a, code_b = cursor.fetchone()
    return Area.objects.get(code=code_a), Area.objects.get(code=code_b)


def _point_in_gap_near(area: Area) -> Point:
    from django.db import connection

    with connection.cursor() as cursor:
        # Points 20 m outside the boundary, every ~50 m along it, that no kelurahan covers.
        cursor.execute(
            """
            WITH ring AS (
              SELECT (ST_DumpPoints(ST_Segmentize(
                        ST_ExteriorRing((ST_Dump(boundary)).geom)::geography, 50
                     )::geometry)).geom AS p,
                     boundary
                FROM routing_area WHERE code = %s
            ), outside AS (
              SELECT ST_Project(p::geography, 20, radians(a))::geometry AS q, boundary
                FROM ring, generate_series(0, 315, 45) AS a
            )
            SELECT ST_X(q), ST_Y(q) FROM outside
             WHERE NOT ST_Covers(boundary, q)
               AND NOT EXISTS (SELECT 1 FROM routing_area k
                                WHERE k.level = 'kelurahan' AND ST_Covers(k.boundary, q))
             LIMIT 1
            """,
            [area.code],
        )
        row = cursor.fetchone()
    assert row is not None, "the data has sliver gaps around Gambir"
    return Point(row[0], row[1], srid=4326)


def test_agency_tree_counts() -> None:
    by_kind = dict(Agency.objects.values_list("kind").annotate(n=Count("id")))
    assert by_kind == {
        "triage": 1,
        "dinas": 10,  # 9 Dinas + BPBD
        "suku_dinas": 54,  # 9 x 6 kota/kabupaten
        "satpol_pp": 7,  # province + 6
        "kota": 6,
        "kecamatan": 44,
        "kelurahan": 267,
    }


def test_prepared_and_plain_statements_route_alike(flood: Category, settings) -> None:  # type: ignore[no-untyped-def]
    points = [MONAS, TEBET_ECO_PARK, _point_in_gap_near(Area.objects.get(code="31.71.01.1001"))]
    a, b = _overlapping_pair()
    points.append(a.boundary.intersection(b.boundary).point_on_surface)
    prepared = [route(point=p, category=flood) for p in points]
    settings.DATABASE_PREPARED_STATEMENTS = False
    plain = [route(point=p, category=flood) for p in points]
    assert [(r.area.code, r.agency.code, r.explanation) for r in prepared] == [
        (r.area.code, r.agency.code, r.explanation) for r in plain
    ]
    assert [r.explanation["match"] for r in prepared] == [
        "covers",
        "covers",
        "nearest_within_limit",
        "covers_overlap_deepest",
    ]


def test_routed_areas_carry_no_boundary_until_asked(flood: Category) -> None:
    routing = route(point=MONAS, category=flood)
    assert "boundary" in routing.area.get_deferred_fields()
    assert routing.area.parent.parent.name == "Kota Administrasi Jakarta Pusat"
