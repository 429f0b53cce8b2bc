"""Error messages follow Accept-Language (Indonesian by default, English on request); the
codes do not change with the language (docs/api.md, "Language")."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.reports.factories import report_body

pytestmark = pytest.mark.django_db


def _create(client: APIClient, language: str | None, **change: object) -> dict[str, object]:
    body = report_body(**change)
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client.post("/api/v1/reports/", body, format="json", **headers)
    assert response.status_code == 400
    return response.json()["error"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (None, "Kategori tidak dikenal atau tidak aktif."),
        ("id", "Kategori tidak dikenal atau tidak aktif."),
        ("en", "Unknown or inactive category."),
    ],
)
def test_an_unknown_category_is_explained_in_the_requested_language(
    api_client: APIClient, language: str | None, expected: str
) -> None:
    error = _create(api_client, language, category="tidak_ada")
    assert error["code"] == "unknown_category"
    assert error["fields"] == {"category": [expected]}  # type: ignore[comparison-overlap]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (None, "Sertakan zona waktu, misalnya Z atau +07:00."),
        ("en", "Give a time zone, e.g. Z or +07:00."),
    ],
)
def test_a_time_without_a_zone_is_explained_in_the_requested_language(
    api_client: APIClient, language: str | None, expected: str
) -> None:
    naive = timezone.localtime().replace(tzinfo=None).isoformat()
    error = _create(api_client, language, occurred_at=naive)
    assert error["fields"] == {"occurred_at": [expected]}  # type: ignore[comparison-overlap]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (None, "Nilai minimum bbox harus lebih kecil daripada nilai maksimumnya."),
        ("en", "bbox minimums must be smaller than its maximums."),
    ],
)
def test_a_bad_bbox_is_explained_in_the_requested_language(
    api_client: APIClient, language: str | None, expected: str
) -> None:
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = api_client.get(
        "/api/v1/reports/public/", {"bbox": "106.85,-6.15,106.80,-6.20"}, **headers
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"bbox": [expected]}


def test_wrong_staff_credentials_are_explained_in_indonesian_by_default(
    api_client: APIClient,
) -> None:
    response = api_client.post(
        "/api/v1/staff/auth/token/", {"username": "tidak-ada", "password": "salah"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_credentials",
        "message": "Nama pengguna atau kata sandi salah, atau bukan akun petugas.",
        "fields": {},
    }
