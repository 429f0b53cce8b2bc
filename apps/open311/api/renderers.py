"""GeoReport v2 renderers: exact media types, the spec's element names, no empty elements.

The format comes from the URL suffix (``services.json`` / ``services.xml``). Both media types
are sent without a ``charset`` parameter, as strict Open311 clients expect; the XML declares
its encoding in the prolog and JSON is UTF-8 by definition.
"""

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from rest_framework.renderers import BaseRenderer, JSONRenderer

# A list under key K is written as <K><singular(K)>…</singular(K)>…</K>.
_SINGULAR = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


# Characters XML 1.0 cannot carry at all (control characters other than tab, LF and CR, lone
# surrogates, U+FFFE/U+FFFF). Stored text may contain them; a document with them would not parse.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def open311_datetime(value: dt.datetime) -> str:
    """UTC, whole seconds, ``Z``: ``2025-01-31T07:30:00Z`` (what strict clients parse)."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple | dict) and not value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return open311_datetime(value)
    return _NOT_XML_CHAR.sub("", str(value))


def _append(parent: ET.Element, tag: str, value: Any) -> None:
    """Add ``value`` under ``parent`` as ``<tag>``; empty values add nothing."""
    if is_empty(value):
        return
    element = ET.Element(tag)
    if isinstance(value, Mapping):
        for key, child in value.items():
            _append(element, str(key), child)
    elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
        item_tag = _SINGULAR.get(tag, "item")
        for child in value:
            _append(element, item_tag, child)
    else:
        element.text = _text(value)
    if element.text is None and len(element) == 0:
        return  # nested values were all empty: omit the element too
    parent.append(element)


def build_xml(root_tag: str, data: Any) -> bytes:
    """``data`` (a list of rows or one mapping) as a GeoReport v2 XML document."""
    root = ET.Element(root_tag)
    if isinstance(data, Mapping):
        for key, value in data.items():
            _append(root, str(key), value)
    else:
        item_tag = _SINGULAR.get(root_tag, "item")
        for row in data:
            _append(root, item_tag, row)
    # The spec asks for the declaration with encoding="UTF-8" before the root element.
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


class Open311JsonRenderer(JSONRenderer):
    media_type = "application/json"
    format = "json"
    charset = None


class Open311XmlRenderer(BaseRenderer):
    """Writes ``<{view.xml_root}>`` documents, or ``<errors>`` for error responses."""

    media_type = "text/xml"
    format = "xml"
    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        context = renderer_context or {}
        response = context.get("response")
        view = context.get("view")
        if response is not None and response.status_code >= 400:
            root_tag = "errors"
        else:
            root_tag = getattr(view, "xml_root", "response")
        return build_xml(root_tag, data if data is not None else [])
