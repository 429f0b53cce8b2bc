"""Property-based API tests: schemathesis against our own OpenAPI schema, in process.

The schema comes from drf-spectacular (``/api/schema/``) through the WSGI application; every
``/api/v1`` operation gets positive and negative cases (bounded: ``MAX_EXAMPLES`` per
operation, derandomized, no deadline), sent to the same WSGI application, on the real test
database. Each response must not be a 5xx and must conform to the schema (status code,
content type, headers, body).

Database: the pytest-django test database, inside the test's transaction, with a savepoint
per generated case that is always rolled back. That keeps every case independent (a case
that aborts the transaction cannot poison the next) and leaves the session's Jakarta areas,
agencies and categories in place for the rest of the suite, which ``transaction=True``
would flush. Requests that need a signed-in citizen carry a knox token of a test reporter.

Known failures in other apps' endpoints are listed in ``KNOWN_FAILURES`` with the exact
request; such an operation is marked xfail (strict=False) only when it fails.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from django.conf import LazySettings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.factories import ReporterFactory, UserFactory

MAX_EXAMPLES = 25

CONFIG = schemathesis.Config.from_str(
    f"""
seed = 20250101

[generation]
mode = "all"
max-examples = {MAX_EXAMPLES}
database = "none"
deterministic = true

[phases.coverage]
enabled = false

[phases.stateful]
enabled = false
"""
)

schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG).include(
    path_regex=r"^/api/v1/"
)

# What every response must satisfy. ``positive_data_acceptance`` is left out on purpose: a
# schema-valid request may still be refused with a 400 for reasons a schema cannot express
# (an unknown category code, a bbox with min > max, a point outside Jakarta, an invalid phone).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]

# "METHOD /path" -> the failing request and why it fails (owner's endpoint, not ours).
KNOWN_FAILURES: dict[str, str] = {}


@pytest.fixture
def citizen_token(db: None) -> str:
    reporter = ReporterFactory(user=UserFactory())
    _instance, token = AuthToken.objects.create(user=reporter.user)
    return token


@pytest.fixture
def private_media(settings: LazySettings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def keep_test_connection(db: None) -> Iterator[None]:
    """Keep the test's connection (and transaction) across requests, as Django's test client
    does: the WSGI handler would otherwise close it at each request start and end."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(
    case: schemathesis.Case,
    citizen_token: str,
    keep_test_connection: None,
    private_media: None,
    request: pytest.FixtureRequest,
) -> None:
    label = f"{case.method.upper()} {case.path}"
    if label in KNOWN_FAILURES:
        request.node.add_marker(pytest.mark.xfail(reason=KNOWN_FAILURES[label], strict=False))
    with transaction.atomic():
        try:
            case.call_and_validate(
                headers={"Authorization": f"Token {citizen_token}"}, checks=CHECKS
            )
        finally:
            transaction.set_rollback(True)
