"""Resolving an address without coordinates to a kelurahan (docs/open311.md).

GeoReport v2 lets a client send ``address_string`` or ``address_id`` instead of ``lat``/``long``.
There is no geocoder: an address is matched against the loaded areas only.

* ``address_id`` equal to a kelurahan code (``31.71.01.1001``) names that kelurahan; equal to a
  kecamatan code it names the kecamatan.
* In ``address_string``, a 5-digit postal code, a kelurahan name or a kecamatan name, as whole
  words, case and punctuation ignored (``Jl. Kebon Sirih, Kel. Kebon Sirih, 10340``). A name
  right after "kecamatan"/"kec" names the kecamatan even when a kelurahan has the same name.

The address resolves when the matches name exactly one kelurahan: a postal code shared by two
kelurahan, or two kelurahan names, are narrowed by a kecamatan also named; a kecamatan alone
does not pick a kelurahan. Whatever matched is returned as evidence for central triage.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Point
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from apps.routing.models import Area

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_POSTAL_CODE = re.compile(r"(?<![0-9])[0-9]{5}(?![0-9])")
_KECAMATAN_WORDS = ("kecamatan", "kec")


def _words(text: str) -> str:
    """Lower case, every run of other characters one space, padded: `` jl kebon sirih ``."""
    return f" {_NOT_WORD.sub(' ', text.lower()).strip()} "


@dataclass(frozen=True)
class AddressMatch:
    """The kelurahan an address names (None: to be confirmed), a point inside it, and what
    matched (codes only, for the routing explanation)."""

    kelurahan: Area | None
    point: Point | None
    evidence: dict[str, Any] = field(default_factory=dict)


def _candidates(*, words: str, postal_codes: list[str], codes: list[str]) -> QuerySet[Area]:
    """Kelurahan and kecamatan whose code, postal code or name (as whole words) occurs:
    one query over the 311 rows, names compared in the database."""
    name_in_words = RawSQL(
        "strpos(%s, ' ' || trim(regexp_replace(lower(name), '[^0-9a-z]+', ' ', 'g')) || ' ') > 0",
        [words],
        output_field=BooleanField(),
    )
    return (
        Area.objects.filter(level__in=[Area.Level.KELURAHAN, Area.Level.KECAMATAN])
        .annotate(name_in_words=name_in_words)
        .filter(
            Q(code__in=codes)
            | Q(level=Area.Level.KELURAHAN, postal_code__in=postal_codes)
            | Q(name_in_words=True)
        )
        .defer("boundary")
        .order_by("code")
    )


def _narrowed(kelurahan: list[Area], kecamatan: list[Area]) -> list[Area]:
    """Several kelurahan: those inside a named kecamatan, if that leaves any."""
    if len(kelurahan) > 1 and kecamatan:
        inside = [k for k in kelurahan if k.parent_id in {c.pk for c in kecamatan}]
        return inside or kelurahan
    return kelurahan


def kelurahan_for_address(*, address: str, address_id: str = "") -> AddressMatch:
    """The one kelurahan ``address``/``address_id`` names, with a point inside it."""
    words = _words(address)
    postal_codes = _POSTAL_CODE.findall(address)
    codes = [address_id.strip()] if address_id.strip() else []
    rows = list(_candidates(words=words, postal_codes=postal_codes, codes=codes))

    def named(area: Area) -> bool:
        return _words(area.name) in words

    def named_as_kecamatan(area: Area) -> bool:
        name = _words(area.name).strip()
        return any(f" {word} {name} " in words for word in _KECAMATAN_WORDS)

    kecamatan = [a for a in rows if a.level == Area.Level.KECAMATAN]
    by_code = [a for a in rows if a.code in codes and a.level == Area.Level.KELURAHAN]
    by_postal = [
        a for a in rows if a.level == Area.Level.KELURAHAN and a.postal_code in postal_codes
    ]
    by_name = [
        a
        for a in rows
        if a.level == Area.Level.KELURAHAN and named(a) and not named_as_kecamatan(a)
    ]
    # "Menteng Atas" also contains "Menteng": keep the longest of names inside one another.
    by_name = [
        a
        for a in by_name
        if not any(a is not b and _words(a.name) in _words(b.name) for b in by_name)
    ]
    evidence: dict[str, Any] = {
        "address_kelurahan": sorted({a.code for a in by_code + by_postal + by_name}),
        "address_kecamatan": [a.code for a in kecamatan if a.code in codes or named(a)],
    }
    if by_code:
        chosen = by_code
    elif by_postal and by_name:  # both must agree; a contradiction is left to triage
        chosen = [a for a in by_postal if a in by_name]
    else:
        chosen = by_postal or by_name
    chosen = _narrowed(chosen, kecamatan)
    if len(chosen) != 1:
        return AddressMatch(kelurahan=None, point=None, evidence=evidence)
    point = (
        Area.objects.filter(pk=chosen[0].pk)
        .annotate(inside=PointOnSurface("boundary"))
        .values_list("inside", flat=True)
        .get()
    )
    return AddressMatch(kelurahan=chosen[0], point=point, evidence=evidence)
