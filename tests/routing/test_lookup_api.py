import pytest
from django.test import Client

from apps.routing.models import Area

pytestmark = pytest.mark.django_db
URL = "/api/v1/routing/lookup/"


def test_lookup_at_monas_returns_gambir_and_the_suku_dinas(client: Client) -> None:
    response = client.get(URL, {"lat": "-6.1754", "lon": "106.8272", "category": "banjir"})
    assert response.status_code == 200
    body = response.json()
    assert body["area"] == {
        "code": "31.71.01.1001",
        "name": "Gambir",
        "level": "kelurahan",
        "postal_code": "10110",
        "kecamatan": {"code": "31.71.01", "name": "Gambir", "level": "kecamatan"},
        "kota": {"code": "31.71", "name": "Kota Administrasi Jakarta Pusat", "level": "kota"},
    }
    assert body["agency"] == {
        "code": "DINAS-SDA-31.71",
        "name": "Suku Dinas Sumber Daya Air Kota Administrasi Jakarta Pusat",
        "short_name": "SDA Jakarta Pusat",
        "kind": "suku_dinas",
    }
    assert body["explanation"]["match"] == "covers"
    assert body["explanation"]["rule"] == "sector_default"


def test_lookup_outside_jakarta_is_422_outside_service_area(client: Client) -> None:
    response = client.get(
        URL, {"lat": "-6.9175", "lon": "107.6191", "category": "banjir"}
    )  # Bandung
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "outside_service_area"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lon": "106.8", "category": "banjir"}, "lat"),
        ({"lat": "-6.17", "category": "banjir"}, "lon"),
        ({"lat": "abc", "lon": "106.8", "category": "banjir"}, "lat"),
        ({"lat": "NaN", "lon": "106.8", "category": "banjir"}, "lat"),
        ({"lat": "-6.17", "lon": "Infinity", "category": "banjir"}, "lon"),
        ({"lat": "-6.17", "lon": "-inf", "category": "banjir"}, "lon"),
        ({"lat": "91", "lon": "106.8", "category": "banjir"}, "lat"),
        ({"lat": "-6.17", "lon": "181", "category": "banjir"}, "lon"),
        ({"lat": "-6.17", "lon": "106.8"}, "category"),
        ({"lat": "-6.17", "lon": "106.8", "category": "no-such-category"}, "category"),
        ({"lat": "-6.17", "lon": "106.8", "category": "bad code!"}, "category"),
    ],
)
def test_bad_input_is_400_with_the_field_named(
    client: Client, params: dict[str, str], field: str
) -> None:
    response = client.get(URL, params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert field in error["fields"]
    assert error["code"] in {"invalid", "unknown_category"}


def test_inactive_category_is_unknown(client: Client) -> None:
    from apps.routing.models import Category

    Category.objects.filter(code="banjir").update(is_active=False)
    response = client.get(URL, {"lat": "-6.1754", "lon": "106.8272", "category": "banjir"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_category"


def test_lookup_query_count_is_constant(client: Client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(2):  # the category, then one routing statement
        client.get(URL, {"lat": "-6.1754", "lon": "106.8272", "category": "banjir"})
    assert Area.objects.count() == 318
