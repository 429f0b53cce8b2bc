import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper
from rest_framework import exceptions

from apps.core.api.handlers import exception_handler
from apps.core.errors import ApplicationError, ErrorCode

pytestmark = pytest.mark.django_db


def test_unknown_api_path_is_a_json_404(client: Client) -> None:
    response = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "fields": {}}
    }


def test_messages_default_to_indonesian(client: Client, settings: SettingsWrapper) -> None:
    settings.LANGUAGE_CODE = "id"
    response = client.get("/api/v1/no-such-thing/")
    assert response.json() == {
        "error": {"code": "not_found", "message": "Data tidak ditemukan.", "fields": {}}
    }
    assert response["Content-Language"] == "id"


def test_validation_errors_have_one_shape_with_fields(client: Client) -> None:
    response = client.get("/api/v1/routing/lookup/", {"lat": "x", "category": "banjir"})
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "invalid"
    assert set(body["error"]["fields"]) == {"lat", "lon"}


def test_method_not_allowed_uses_the_error_shape(client: Client) -> None:
    response = client.post("/api/v1/routing/lookup/")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_oversized_body_is_refused_with_413_before_it_is_read(client: Client) -> None:
    response = client.generic(
        "POST",
        "/api/v1/routing/lookup/",
        data=b"",
        content_type="application/json",
        CONTENT_LENGTH=str(70 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_oversized_body_to_an_unknown_path_gets_the_project_shape(
    client: Client, settings: SettingsWrapper
) -> None:
    settings.REQUEST_MAX_BODY_BYTES = 8
    response = client.post("/no-such-page/", data=b"x" * 9, content_type="text/plain")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "request_too_large"


def test_malformed_json_is_a_parse_error(client: Client) -> None:
    response = client.post(
        "/api/v1/routing/lookup/", data=b"{not json", content_type="application/json"
    )
    # The lookup is GET-only, so the method is refused before the body is parsed.
    assert response.status_code == 405


def test_openapi_schema_and_docs_are_served(client: Client) -> None:
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/routing/lookup/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    # Assets are served locally, not from a CDN.
    assert b"cdn.jsdelivr.net" not in docs.content
    assert client.get("/api/redoc/").status_code == 200


def test_a_cross_origin_preflight_gets_no_cors_grant(client: Client) -> None:
    # The API serves the mobile app, not browsers on other sites: no CORS headers at all.
    response = client.options(
        "/api/v1/reports/",
        HTTP_ORIGIN="https://evil.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Credentials" not in response
    simple = client.get("/api/v1/categories/", HTTP_ORIGIN="https://evil.example")
    assert simple.status_code == 200
    assert "Access-Control-Allow-Origin" not in simple


class _Busy(ApplicationError):
    code = ErrorCode.THROTTLED
    status = 429


class _BusyFor(_Busy):
    retry_after = 2.2


@pytest.mark.parametrize(
    ("exc", "retry_after"),
    [
        (exceptions.Throttled(wait=30), "30"),
        (exceptions.Throttled(wait=0.2), "1"),  # DRF rounds up to 1
        (exceptions.Throttled(wait=0), "1"),  # DRF itself sends no header for a wait of 0
        (exceptions.Throttled(), "60"),  # the throttle did not say: the default
        (_Busy(), "60"),
        (_BusyFor(), "3"),
    ],
)
def test_every_429_in_the_error_shape_carries_retry_after(exc: Exception, retry_after: str) -> None:
    response = exception_handler(exc, {})

    assert response is not None
    assert response.status_code == 429
    assert response["Retry-After"] == retry_after
    assert response.data["error"]["code"] == "throttled"
    assert set(response.data["error"]) == {"code", "message", "fields"}


def test_other_errors_carry_no_retry_after() -> None:
    response = exception_handler(exceptions.ValidationError({"x": ["bad"]}), {})
    assert response is not None
    assert "Retry-After" not in response
