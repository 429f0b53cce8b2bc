import json

import pytest
from django.contrib.gis.geos import Point
from django.test import Client

from apps.reports.models import Report
from apps.reports.selectors_public import PUBLIC_FEED_MAX_FEATURES
from tests.conftest import TEBET_ECO_PARK
from tests.factories import ReporterFactory
from tests.open311.factories import file_report, jpeg_upload
from tests.reports.transitions import report_transition

pytestmark = pytest.mark.django_db

JAKARTA_PUSAT = "106.80,-6.20,106.85,-6.15"  # around Monas, not Tebet
ALL_JAKARTA = "106.60,-6.40,107.00,-6.05"


def feed(client: Client, query: str) -> dict[str, object]:
    response = client.get("/api/v1/reports/public/" + query)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_feed_is_a_geojson_feature_collection_of_public_reports_in_the_bbox(
    client: Client, django_assert_num_queries: object
) -> None:
    citizen = ReporterFactory(pseudonym="Warga-PUBLIK")
    monas = file_report(reporter=citizen, address_hint="Depan Monas")
    file_report(location=TEBET_ECO_PARK)  # outside the bbox
    with django_assert_num_queries(1):  # type: ignore[operator]
        body = feed(client, f"?bbox={JAKARTA_PUSAT}")
    assert body["type"] == "FeatureCollection"
    assert body["truncated"] is False
    features = body["features"]
    assert isinstance(features, list)
    assert len(features) == 1
    feature = features[0]
    assert feature["type"] == "Feature"
    assert feature["id"] == monas.public_id
    assert feature["geometry"] == {"type": "Point", "coordinates": [106.8272, -6.1754]}
    properties = feature["properties"]
    assert properties["public_id"] == monas.public_id
    assert properties["category"] == "banjir"
    assert (properties["status"], properties["state"]) == ("menunggu", "open")
    assert properties["address"] == "Depan Monas"
    assert properties["kelurahan"] == "Gambir"
    assert properties["agency"] == "Suku Dinas Sumber Daya Air Kota Administrasi Jakarta Pusat"
    assert properties["thumbnail_url"] is None
    assert set(properties) == {
        "public_id",
        "category",
        "category_name",
        "status",
        "state",
        "description",
        "address",
        "kelurahan",
        "agency",
        "support_count",
        "created_at",
        "updated_at",
        "thumbnail_url",
    }
    text = json.dumps(body)
    for secret in ("Warga-PUBLIK", "reporter", "pseudonym", "exif", "routing"):
        assert secret not in text


def test_private_and_merged_reports_never_appear(client: Client) -> None:
    public = file_report()
    private = file_report(is_public=False, location=Point(106.8280, -6.1760, srid=4326))
    merged = file_report(location=Point(106.8290, -6.1770, srid=4326))
    Report.objects.filter(pk=merged.pk).update(parent=public)
    body = feed(client, f"?bbox={ALL_JAKARTA}")
    assert [f["id"] for f in body["features"]] == [public.public_id]  # type: ignore[index]
    text = json.dumps(body)
    assert private.public_id not in text
    for coordinate in ("106.828,", "-6.176", "106.829", "-6.177"):
        assert coordinate not in text


def test_category_filter_newest_first_and_closed_reports_marked(client: Client) -> None:
    first = file_report()
    second = file_report(category="sampah", location=TEBET_ECO_PARK)
    report_transition(report=second, to=Report.Status.DITOLAK, actor=None, note="Duplikat")
    body = feed(client, f"?bbox={ALL_JAKARTA}")
    assert [f["id"] for f in body["features"]] == [second.public_id, first.public_id]  # type: ignore[index]
    assert body["features"][1]["properties"]["state"] == "open"  # type: ignore[index]
    assert body["features"][0]["properties"]["state"] == "closed"  # type: ignore[index]
    only = feed(client, f"?bbox={ALL_JAKARTA}&category=sampah")
    assert [f["id"] for f in only["features"]] == [second.public_id]  # type: ignore[index]


def test_limit_caps_the_features_and_says_so(client: Client) -> None:
    reports = [file_report() for _ in range(3)]
    body = feed(client, f"?bbox={ALL_JAKARTA}&limit=2")
    assert body["truncated"] is True
    assert [f["id"] for f in body["features"]] == [  # type: ignore[index]
        reports[2].public_id,
        reports[1].public_id,
    ]
    assert feed(client, f"?bbox={ALL_JAKARTA}&limit=3")["truncated"] is False


def test_photo_gives_a_public_thumbnail_url(client: Client) -> None:
    report = file_report(photos=[jpeg_upload()])
    body = feed(client, f"?bbox={JAKARTA_PUSAT}")
    assert body["features"][0]["properties"]["thumbnail_url"] == (  # type: ignore[index]
        f"http://testserver/api/v1/reports/{report.public_id}/public-thumbnail"
    )


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?bbox=",
        "?bbox=1,2,3",
        "?bbox=1,2,3,4,5",
        "?bbox=a,b,c,d",
        "?bbox=nan,-6.2,106.9,-6.1",
        "?bbox=106.8,-6.2,inf,-6.1",
        "?bbox=106.9,-6.2,106.8,-6.1",  # min > max
        "?bbox=106.8,-6.1,106.9,-6.1",  # empty
        "?bbox=-181,-6.2,106.9,-6.1",
        "?bbox=106.8,-91,106.9,-6.1",
        "?bbox=100,-10,110,0",  # 100 square degrees
        f"?bbox={ALL_JAKARTA}&limit=0",
        f"?bbox={ALL_JAKARTA}&limit={PUBLIC_FEED_MAX_FEATURES + 1}",
        f"?bbox={ALL_JAKARTA}&category=bukan%20slug",
    ],
)
def test_bad_bbox_is_a_400_in_the_project_error_shape(client: Client, query: str) -> None:
    response = client.get("/api/v1/reports/public/" + query)
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["error"]["code"] == "invalid"
    assert body["error"]["fields"]
