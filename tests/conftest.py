"""Test set-up shared by every app: the real Jakarta areas and reference data, loaded once.

The session database keeps the areas, agencies and categories (loaded idempotently, so
``--reuse-db`` is safe); each test runs in a transaction on top of them.
"""

import io
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from apps.core.messaging import MemoryPushBackend, MemorySmsBackend
from apps.routing.models import Category

MONAS = Point(106.8272, -6.1754, srid=4326)  # Kelurahan Gambir, 31.71.01.1001
TEBET_ECO_PARK = Point(106.8543, -6.2366, srid=4326)  # Kelurahan Tebet Timur, 31.74.01.1001


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        call_command(
            "load_areas",
            str(settings.BASE_DIR / "fixtures" / "jakarta_kelurahan.geojson"),
            "--commit",
            "--quiet",
            stdout=io.StringIO(),
        )
        call_command("seed_reference_data", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _clean_side_channels() -> Iterator[None]:
    """Empty the in-memory SMS/push outboxes and the cache around each test."""
    MemorySmsBackend.outbox.clear()
    MemoryPushBackend.outbox.clear()
    cache.clear()
    yield
    MemorySmsBackend.outbox.clear()
    MemoryPushBackend.outbox.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def flood(db: None) -> Category:
    return Category.objects.get(code="banjir")


@pytest.fixture
def other_category(db: None) -> Category:
    return Category.objects.get(code="lainnya")
