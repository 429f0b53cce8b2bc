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
from django.utils import translation
from rest_framework.test import APIClient

from apps.core import outbox
from apps.core.messaging import MemoryPushBackend, MemorySmsBackend
from apps.routing.models import Area, Category

MONAS = Point(106.8272, -6.1754, srid=4326)  # Kelurahan Gambir, 31.71.01.1001
TEBET_ECO_PARK = Point(106.8543, -6.2366, srid=4326)  # Kelurahan Tebet Timur, 31.74.01.1001


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        _load_reference_data()


def _load_reference_data() -> None:
    call_command(
        "load_areas",
        str(settings.BASE_DIR / "fixtures" / "jakarta_kelurahan.geojson"),
        "--commit",
        "--quiet",
        stdout=io.StringIO(),
    )
    call_command("seed_reference_data", stdout=io.StringIO())
    call_command(
        "load_cameras",
        str(settings.BASE_DIR / "fixtures" / "jakarta_cctv.geojson"),
        "--commit",
        "--quiet",
        stdout=io.StringIO(),
    )


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request: pytest.FixtureRequest) -> None:
    """Transactional tests empty every table when they end (pytest-django flushes), so a
    transactional test reloads the areas and catalogue it needs when they are gone."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    if marker.kwargs.get("available_apps"):
        return  # a restricted app registry: the test sets up what it needs itself
    request.getfixturevalue("transactional_db")
    if not Category.objects.exists() or not Area.objects.exists():
        _load_reference_data()


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Service-level messages are asserted in English; requests still get the language
    LocaleMiddleware picks (Indonesian unless Accept-Language says otherwise)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _clean_side_channels() -> Iterator[None]:
    """Empty the in-memory SMS/push outboxes and the cache around each test, and reset the
    outbox's broker breaker."""
    MemorySmsBackend.outbox.clear()
    MemoryPushBackend.outbox.clear()
    cache.clear()
    outbox._publish_paused_until = 0.0  # a test's broker failure does not hold back the next
    yield
    MemorySmsBackend.outbox.clear()
    MemoryPushBackend.outbox.clear()
    outbox._publish_paused_until = 0.0  # a test that broke the broker does not pause others


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def flood(db: None) -> Category:
    return Category.objects.get(code="banjir")


@pytest.fixture
def other_category(db: None) -> Category:
    return Category.objects.get(code="lainnya")
