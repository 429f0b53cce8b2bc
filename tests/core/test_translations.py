"""The Indonesian catalogues: each translation says what its source says, no more.

A catalogue merge once glued the next entry's text onto a translation ("… garis bawah.Hanya
supervisor unit …"), so a device-id error told citizens about identity reveals. These checks read
the compiled catalogues (``make test`` compiles them first), the way Django does.
"""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.reports.factories import report_body

CATALOGUES = sorted(
    [
        *Path(settings.BASE_DIR, "apps").glob("*/locale/id/LC_MESSAGES/django.mo"),
        *Path(settings.BASE_DIR, "locale").glob("id/LC_MESSAGES/django.mo"),
    ]
)

# The end of a sentence: . ! or ? before a capital (with or without a space) or the end.
SENTENCE_END = re.compile(r"[.!?](?=\s*[A-Z]|$)")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdf]|\{[a-z_]+\}")


def entries(path: Path, *, plurals: bool = True) -> list[tuple[str, str]]:
    """(source, translation) pairs; a plural's translation is paired with its singular."""
    with path.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    pairs = []
    for key, text in catalog.items():
        if isinstance(key, tuple) and not plurals:
            continue
        source = key[0] if isinstance(key, tuple) else key
        if source:  # "" is the header
            pairs.append((source, text))
    return pairs


def test_there_are_catalogues_to_check():
    assert len(CATALOGUES) >= 8, CATALOGUES


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_no_translation_has_more_sentences_than_its_source(path):
    glued = [
        (source, text)
        for source, text in entries(path)
        if len(SENTENCE_END.findall(text)) > len(SENTENCE_END.findall(source))
    ]
    assert glued == []


# A plural's one Indonesian form may name the count its singular source leaves out, so plurals
# are left to msgfmt's own format check (compilemessages runs it).
@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_every_translation_keeps_its_placeholders(path):
    changed = [
        (source, text)
        for source, text in entries(path, plurals=False)
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text))
    ]
    assert changed == []


@pytest.mark.django_db
def test_the_device_id_error_is_one_sentence_in_indonesian():
    response = APIClient().post(
        "/api/v1/reports/",
        report_body(),
        format="json",
        HTTP_X_DEVICE_ID="x",
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["X-Device-Id"] == [
        "8 sampai 128 huruf, angka, titik, titik dua, tanda hubung, atau garis bawah."
    ]
