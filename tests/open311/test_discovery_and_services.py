import json

import pytest
from rest_framework.test import APIClient

from apps.routing.models import Category
from tests.open311.factories import (
    OPEN311_DATETIME,
    assert_no_empty_elements,
    xml_root,
)

pytestmark = pytest.mark.django_db


def test_discovery_json_lists_two_endpoints_with_both_formats(api_client: APIClient) -> None:
    response = api_client.get("/open311/discovery.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert OPEN311_DATETIME.match(body["changeset"])
    assert body["contact"]
    assert body["key_service"]
    assert [e["type"] for e in body["endpoints"]] == ["production", "test"]
    for endpoint in body["endpoints"]:
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"] == "http://testserver/open311/v2"
        assert endpoint["formats"] == ["text/xml", "application/json"]
        assert OPEN311_DATETIME.match(endpoint["changeset"])


def test_discovery_xml_has_the_spec_element_names(api_client: APIClient) -> None:
    response = api_client.get("/open311/discovery.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    root = xml_root(response.content)
    assert_no_empty_elements(root)
    assert root.tag == "discovery"
    endpoints = root.findall("./endpoints/endpoint")
    assert len(endpoints) == 2
    for endpoint in endpoints:
        assert [f.text for f in endpoint.findall("./formats/format")] == [
            "text/xml",
            "application/json",
        ]
        assert endpoint.findtext("url") == "http://testserver/open311/v2"


def test_services_json_lists_every_active_category(api_client: APIClient) -> None:
    Category.objects.filter(code="lainnya").update(is_active=False)
    response = api_client.get("/open311/v2/services.json", HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    services = json.loads(response.content)
    expected = list(
        Category.objects.filter(is_active=True)
        .order_by("sort_order", "code")
        .values_list("code", flat=True)
    )
    assert [s["service_code"] for s in services] == expected
    assert "lainnya" not in expected
    flood = next(s for s in services if s["service_code"] == "banjir")
    assert flood == {
        "service_code": "banjir",
        "service_name": "Banjir / genangan",
        "description": "Genangan atau banjir di jalan, permukiman, atau fasilitas umum.",
        "metadata": True,
        "type": "realtime",
        "keywords": "Banjir / genangan, Flooding",
        "group": "Air",
    }


def test_services_follow_accept_language(api_client: APIClient) -> None:
    response = api_client.get("/open311/v2/services.json", HTTP_ACCEPT_LANGUAGE="en")
    flood = next(s for s in json.loads(response.content) if s["service_code"] == "banjir")
    assert flood["service_name"] == "Flooding"


def test_services_xml(api_client: APIClient) -> None:
    response = api_client.get("/open311/v2/services.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    root = xml_root(response.content)
    assert_no_empty_elements(root)
    assert root.tag == "services"
    assert {child.tag for child in root} == {"service"}
    flood = next(s for s in root if s.findtext("service_code") == "banjir")
    assert [child.tag for child in flood] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert (flood.findtext("metadata"), flood.findtext("type")) == ("true", "realtime")
    assert len(root) == Category.objects.filter(is_active=True).count()


def test_service_definition_json(api_client: APIClient) -> None:
    response = api_client.get("/open311/v2/services/banjir.json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["service_code"] == "banjir"
    assert [(a["code"], a["datatype"], a["required"], a["order"]) for a in body["attributes"]] == [
        ("OCCURRED_AT", "datetime", False, 1),
        ("PUBLIC", "singlevaluelist", False, 2),
    ]
    assert body["attributes"][1]["values"] == [
        {"key": "yes", "name": "Yes, show it"},
        {"key": "no", "name": "No, officers only"},
    ]
    assert all(a["variable"] is True for a in body["attributes"])


def test_service_definition_xml_omits_empty_elements(api_client: APIClient) -> None:
    response = api_client.get("/open311/v2/services/banjir.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    root = xml_root(response.content)
    assert_no_empty_elements(root)
    assert root.tag == "service_definition"
    attributes = root.findall("./attributes/attribute")
    assert [a.findtext("code") for a in attributes] == ["OCCURRED_AT", "PUBLIC"]
    assert attributes[0].find("values") is None  # an empty list is omitted, not <values/>
    assert [v.findtext("key") for v in attributes[1].findall("./values/value")] == ["yes", "no"]


@pytest.mark.parametrize("code", ["tidak_ada", "lainnya"])
def test_unknown_or_inactive_service_definition_is_a_404(api_client: APIClient, code: str) -> None:
    Category.objects.filter(code="lainnya").update(is_active=False)
    response = api_client.get(f"/open311/v2/services/{code}.json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == [
        {"code": 404, "description": f"service_code '{code}' not found."}
    ]
    response = api_client.get(f"/open311/v2/services/{code}.xml")
    assert response.status_code == 404
    assert response["Content-Type"] == "text/xml"
    root = xml_root(response.content)
    assert root.tag == "errors"
    assert [(e.findtext("code"), e.findtext("description")) for e in root] == [
        ("404", f"service_code '{code}' not found.")
    ]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/open311/v2/nothing.json", 404),
        ("get", "/open311/v2/services.yaml", 404),
        ("get", "/open311/v3/services.json", 404),
        ("put", "/open311/v2/requests.json", 405),
        ("delete", "/open311/v2/services.json", 405),
    ],
)
def test_errors_never_use_the_project_error_shape(
    api_client: APIClient, method: str, path: str, status: int
) -> None:
    response = getattr(api_client, method)(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert isinstance(body, list)
    assert body[0]["code"] == status
    assert set(body[0]) == {"code", "description"}
    assert "error" not in response.content.decode()


def test_errors_in_xml_for_an_xml_path(api_client: APIClient) -> None:
    response = api_client.put("/open311/v2/requests.xml")
    assert response.status_code == 405
    assert response["Content-Type"] == "text/xml"
    root = xml_root(response.content)
    assert root.tag == "errors"
    assert root.findtext("./error/code") == "405"


@pytest.mark.parametrize(
    ("path", "accept", "content_type"),
    [
        ("/open311/v2/services.xml", "application/xml", "text/xml"),
        ("/open311/v2/services.xml", "application/json", "text/xml"),
        ("/open311/v2/services.json", "text/xml", "application/json"),
        ("/open311/v2/services.json", "text/html", "application/json"),
        ("/open311/v2/services/banjir.xml", "application/json", "text/xml"),
        ("/open311/v2/requests.json", "application/xml", "application/json"),
        ("/open311/v2/requests.xml", "application/json;q=1, text/xml;q=0", "text/xml"),
        ("/open311/discovery.json", "application/xml", "application/json"),
        ("/open311/discovery.xml", "image/png", "text/xml"),
        ("/open311/v2/services.json?format=xml", "*/*", "application/json"),
    ],
)
def test_the_suffix_picks_the_format_whatever_accept_says(
    api_client: APIClient, path: str, accept: str, content_type: str
) -> None:
    response = api_client.get(path, HTTP_ACCEPT=accept)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == content_type
    if content_type == "text/xml":
        xml_root(response.content)
    else:
        json.loads(response.content)


@pytest.mark.parametrize(
    ("path", "accept", "content_type"),
    [
        ("/open311/v2/foo", "text/html", "application/json"),
        ("/open311/v2/foo.json", "text/xml", "application/json"),
        ("/open311/v2/foo.xml", "application/json", "text/xml"),
        ("/open311/v2/services/tidak_ada.xml", "application/json", "text/xml"),
        ("/open311/v2/requests/LW-ZZZZZZ.json", "application/xml", "application/json"),
    ],
)
def test_unknown_resources_are_a_404_whatever_accept_says(
    api_client: APIClient, path: str, accept: str, content_type: str
) -> None:
    response = api_client.get(path, HTTP_ACCEPT=accept)
    assert response.status_code == 404
    assert response["Content-Type"] == content_type
    if content_type == "text/xml":
        root = xml_root(response.content)
        assert root.tag == "errors"
        assert root.findtext("./error/code") == "404"
        assert root.findtext("./error/description")
    else:
        body = json.loads(response.content)
        assert [set(error) for error in body] == [{"code", "description"}]
        assert body[0]["code"] == 404


def test_errors_follow_the_suffix_whatever_accept_says(api_client: APIClient) -> None:
    response = api_client.put("/open311/v2/requests.xml", HTTP_ACCEPT="application/json")
    assert (response.status_code, response["Content-Type"]) == (405, "text/xml")
    assert xml_root(response.content).findtext("./error/code") == "405"
    response = api_client.get("/open311/v2/requests.json?status=x", HTTP_ACCEPT="text/xml")
    assert (response.status_code, response["Content-Type"]) == (400, "application/json")
    assert json.loads(response.content)[0]["code"] == 400


def _empty_values(value: object, where: str = "") -> list[str]:
    """Paths inside a JSON document that hold an empty string, list or object."""
    if value in ("", [], {}):
        return [where]
    if isinstance(value, dict):
        return [p for key, child in value.items() for p in _empty_values(child, f"{where}.{key}")]
    if isinstance(value, list):
        return [p for i, child in enumerate(value) for p in _empty_values(child, f"{where}[{i}]")]
    return []


@pytest.mark.parametrize("language", ["id", "en"])
def test_json_service_definitions_hold_no_empty_values(
    api_client: APIClient, language: str
) -> None:
    codes = list(Category.objects.filter(is_active=True).values_list("code", flat=True))
    assert codes
    for code in codes:
        response = api_client.get(
            f"/open311/v2/services/{code}.json", HTTP_ACCEPT_LANGUAGE=language
        )
        assert response.status_code == 200
        body = json.loads(response.content)
        assert _empty_values(body) == []
        occurred_at = next(a for a in body["attributes"] if a["code"] == "OCCURRED_AT")
        assert "values" not in occurred_at


def test_services_json_omits_an_empty_description_and_group(api_client: APIClient) -> None:
    Category.objects.filter(code="banjir").update(description_id="", group="")
    response = api_client.get("/open311/v2/services.json", HTTP_ACCEPT_LANGUAGE="id")
    services = json.loads(response.content)
    assert _empty_values(services) == []
    flood = next(s for s in services if s["service_code"] == "banjir")
    assert "description" not in flood
    assert "group" not in flood
