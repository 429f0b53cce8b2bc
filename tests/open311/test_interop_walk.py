"""A GeoReport v2 client's walk: discover the endpoint, then build every URL by appending to
the published ``url`` exactly as clients do (``url + "/services.xml"``), in both formats."""

import json
import xml.etree.ElementTree as ET
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client

from tests.open311.factories import client_app, file_report, xml_root

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    """What the test client requests for an absolute URL (scheme and host are the server's)."""
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", "testserver")
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _endpoints(client: Client) -> list[str]:
    body = json.loads(client.get("/open311/discovery.json").content)
    from_json = [e["url"] for e in body["endpoints"] if e["type"] == "production"]
    root = xml_root(client.get("/open311/discovery.xml").content)
    from_xml = [
        e.findtext("url") for e in root.iter("endpoint") if e.findtext("type") == "production"
    ]
    assert from_json == from_xml
    return from_json


def test_a_client_walks_the_interface_from_discovery(client: Client) -> None:
    public = file_report()
    (url,) = _endpoints(client)
    assert not url.endswith("/")

    for fmt in ("json", "xml"):
        services = client.get(_path(url + f"/services.{fmt}"))
        assert services.status_code == 200
    codes = [
        s["service_code"] for s in json.loads(client.get(_path(url + "/services.json")).content)
    ]
    assert "banjir" in codes

    definition = client.get(_path(url + "/services/banjir.xml"))
    assert definition.status_code == 200
    assert xml_root(definition.content).findtext("service_code") == "banjir"

    listed = json.loads(client.get(_path(url + "/requests.json?status=open")).content)
    assert [r["service_request_id"] for r in listed] == [public.public_id]
    listed_xml = xml_root(client.get(_path(url + "/requests.xml?status=open")).content)
    assert [r.findtext("service_request_id") for r in listed_xml] == [public.public_id]
    one = json.loads(client.get(_path(url + f"/requests/{public.public_id}.json")).content)
    assert one[0]["service_request_id"] == public.public_id

    _, key = client_app()
    form = {
        "api_key": key,
        "service_code": codes[0],
        "lat": "-6.1754",
        "long": "106.8272",
        "description": "Genangan di depan halte",
        "media_url": "https://cdn.example.id/1.jpg",
    }
    posted = client.post(
        _path(url + "/requests.xml"),
        data=urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert posted.status_code == 200, posted.content
    row = xml_root(posted.content).find("request")
    assert isinstance(row, ET.Element)
    new_id = row.findtext("service_request_id")
    assert new_id
    assert row.find("token") is None  # created synchronously: the id only
    (back,) = json.loads(client.get(_path(url + f"/requests/{new_id}.json")).content)
    assert (back["service_code"], back["description"], back["media_url"]) == (
        codes[0],
        "Genangan di depan halte",
        "https://cdn.example.id/1.jpg",
    )
    back_xml = xml_root(client.get(_path(url + f"/requests/{new_id}.xml")).content)
    assert back_xml.findtext("./request/service_request_id") == new_id
