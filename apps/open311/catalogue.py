"""The Open311 service catalogue: services from ``routing.Category`` and their attributes.

Every service has the same two optional attributes (``metadata`` is therefore true):

* ``OCCURRED_AT`` (datetime): when the problem was seen; defaults to the submission time.
* ``PUBLIC`` (singlevaluelist ``yes``/``no``): whether the report appears on the public map
  and in ``GET requests``; defaults to ``yes``. The reporter's identity is never public.

Clients send them as ``attribute[OCCURRED_AT]=…`` form fields with ``POST requests``.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime

from apps.core.i18n import english
from apps.routing.models import Category

_ATTRIBUTE_FIELD = re.compile(r"^attribute\[([^\]]*)\](\[\])?$")


@dataclass(frozen=True)
class AttributeSpec:
    code: str
    datatype: str
    order: int
    description_id: str
    description_en: str
    values: tuple[tuple[str, str, str], ...] = ()  # (key, name_id, name_en)
    required: bool = False


ATTRIBUTES: tuple[AttributeSpec, ...] = (
    AttributeSpec(
        code="OCCURRED_AT",
        datatype="datetime",
        order=1,
        description_id=(
            "Kapan masalah terlihat (ISO 8601 dengan zona waktu, mis. "
            "2025-01-31T07:30:00+07:00). Bawaan: saat laporan dikirim."
        ),
        description_en=(
            "When the problem was seen (ISO 8601 with a time zone, e.g. "
            "2025-01-31T07:30:00+07:00). Defaults to the time of submission."
        ),
    ),
    AttributeSpec(
        code="PUBLIC",
        datatype="singlevaluelist",
        order=2,
        description_id="Tampilkan laporan di peta publik (tanpa identitas pelapor)?",
        description_en="Show the report on the public map (without the reporter's identity)?",
        values=(
            ("yes", "Ya, tampilkan", "Yes, show it"),
            ("no", "Tidak, hanya untuk petugas", "No, officers only"),
        ),
    ),
)
_BY_CODE = {spec.code: spec for spec in ATTRIBUTES}


class InvalidAttribute(ValueError):
    """An ``attribute[...]`` field the client must correct."""


@dataclass(frozen=True)
class ParsedAttributes:
    occurred_at: datetime | None = None
    is_public: bool = True


def category_name(category: Category) -> str:
    return category.name_en if english() else category.name_id


def _without_empty(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` without empty strings and lists: a missing value is omitted, in JSON as in XML
    (docs/open311.md)."""
    return {key: value for key, value in row.items() if value not in ("", [])}


def service_row(category: Category) -> dict[str, Any]:
    in_english = english()
    names = [category.name_id, category.name_en]
    return _without_empty(
        {
            "service_code": category.code,
            "service_name": category_name(category),
            "description": category.description_en if in_english else category.description_id,
            "metadata": bool(ATTRIBUTES),
            "type": "realtime",
            "keywords": ", ".join(dict.fromkeys(name for name in names if name)),
            "group": category.group,
        }
    )


def _attribute(spec: AttributeSpec, *, english: bool) -> dict[str, Any]:
    """One ``<attribute>``; ``values`` only for the value-list datatypes."""
    return _without_empty(
        {
            "variable": True,
            "code": spec.code,
            "datatype": spec.datatype,
            "required": spec.required,
            "order": spec.order,
            "description": spec.description_en if english else spec.description_id,
            "values": [
                {"key": key, "name": name_en if english else name_id}
                for key, name_id, name_en in spec.values
            ],
        }
    )


def service_definition(category: Category) -> dict[str, Any]:
    in_english = english()
    return {
        "service_code": category.code,
        "attributes": [_attribute(spec, english=in_english) for spec in ATTRIBUTES],
    }


def parse_w3c_datetime(value: str) -> datetime:
    """A W3C/ISO 8601 datetime with a zone, or a date (midnight UTC). Raises ValueError."""
    value = value.strip()
    parsed = parse_datetime(value) if "T" in value or " " in value else None
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise ValueError(value)
        return datetime.combine(day, time.min, tzinfo=UTC)
    if parsed.tzinfo is None:
        raise ValueError(value)
    return parsed


def parse_attributes(data: Mapping[str, Any]) -> ParsedAttributes:
    """Read ``attribute[CODE]`` fields; unknown codes and bad values raise ``InvalidAttribute``."""
    values: dict[str, str] = {}
    for key in data:
        match = _ATTRIBUTE_FIELD.match(str(key))
        if match is None:
            if str(key).startswith("attribute"):
                raise InvalidAttribute(f"Malformed attribute field {str(key)[:60]!r}.")
            continue
        code = match.group(1)
        spec = _BY_CODE.get(code)
        if spec is None:
            known = ", ".join(_BY_CODE)
            raise InvalidAttribute(f"Unknown attribute {code[:40]!r}; this service has: {known}.")
        if match.group(2):
            raise InvalidAttribute(f"attribute[{code}] takes a single value.")
        getter = getattr(data, "getlist", None)
        raw = getter(key) if getter is not None else [data[key]]
        if len(raw) != 1 or not isinstance(raw[0], str):
            raise InvalidAttribute(f"attribute[{code}] takes a single value.")
        values[code] = raw[0]

    occurred_at = None
    if values.get("OCCURRED_AT", "").strip():
        try:
            occurred_at = parse_w3c_datetime(values["OCCURRED_AT"])
        except ValueError:
            raise InvalidAttribute(
                "attribute[OCCURRED_AT] must be an ISO 8601 datetime with a time zone, "
                "e.g. 2025-01-31T07:30:00+07:00."
            ) from None
    is_public = True
    if "PUBLIC" in values:
        answer = values["PUBLIC"].strip().lower()
        if answer not in ("yes", "no"):
            raise InvalidAttribute("attribute[PUBLIC] must be yes or no.")
        is_public = answer == "yes"
    return ParsedAttributes(occurred_at=occurred_at, is_public=is_public)
