"""An invalid, expired or revoked token is a 401 on every citizen endpoint, the public ones
included (docs/api.md, "Sign-in"): the app learns at once that it must sign in again. Without
a token the public endpoints answer as usual. Only the sign-in endpoints ignore the header."""

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from apps.identity.models import Reporter
from tests.reports.conftest import client_for

pytestmark = pytest.mark.django_db

# (path, status without a token)
PUBLIC = [
    ("/api/v1/categories/", 200),
    ("/api/v1/reports/public/?bbox=106.80,-6.20,106.85,-6.15", 200),
    ("/api/v1/reports/nearby/?lat=-6.1754&lon=106.8272&category=banjir", 200),
    ("/api/v1/reports/LW-ZZZZZ2/public-thumbnail", 404),
    ("/api/v1/track/ZZZZ-ZZZZ-ZZZZ/", 404),
    ("/api/v1/routing/lookup/?lat=-6.1754&lon=106.8272&category=banjir", 200),
]


def _bad_token_client() -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "ab" * 32)
    return client


@pytest.mark.parametrize(("path", "status"), PUBLIC, ids=[row[0] for row in PUBLIC])
def test_a_public_endpoint_answers_without_a_token_and_refuses_a_bad_one(
    path: str, status: int
) -> None:
    assert APIClient().get(path).status_code == status
    response = _bad_token_client().get(path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.parametrize(("path", "status"), PUBLIC, ids=[row[0] for row in PUBLIC])
def test_a_revoked_token_is_refused_on_public_endpoints_too(
    reporter: Reporter, path: str, status: int
) -> None:
    assert reporter.user is not None
    client = client_for(reporter.user)
    assert client.get(path).status_code == status  # a valid token is fine
    AuthToken.objects.filter(user=reporter.user).delete()  # signed out everywhere
    assert client.get(path).status_code == 401


def test_sign_in_ignores_a_stale_token() -> None:
    response = _bad_token_client().post(
        "/api/v1/auth/otp/request/", {"phone": "081234567890"}, format="json"
    )
    assert response.status_code == 202
