"""Deeply nested JSON (docs/security.md, row 3): 1,000 levels in 2 KB is a 400 on every
operation of the OpenAPI schema that takes a JSON body, for every kind of caller, never a 500.
"""

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.roles import OrgRole
from apps.accounts.services import user_grant_org_role
from apps.core.api.parsers import json_depth_exceeds
from tests.factories import StaffFactory, UserFactory
from tests.identity.factories import client_for
from tests.reports.factories import citizen
from tests.triage.triage_helpers import officer, ticket

pytestmark = pytest.mark.django_db

DEEP = "[" * 1000 + "]" * 1000  # 2,000 bytes
DEEP_OBJECT = '{"a":' * 400 + "1" + "}" * 400


def _json_operations(schema: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                found.append((method, path))
    return found


def test_the_depth_scan_ignores_brackets_inside_strings() -> None:
    assert json_depth_exceeds(DEEP, 32)
    assert json_depth_exceeds(DEEP_OBJECT, 32)
    assert not json_depth_exceeds('{"a": "' + "[" * 1000 + '"}', 32)
    assert not json_depth_exceeds('{"a": "\\"[[[[", "b": [[1]]}', 3)
    assert json_depth_exceeds('{"a": "\\"", "b": [[1]]}', 2)


def test_every_json_operation_answers_a_deep_body_with_a_400() -> None:
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    operations = _json_operations(schema.json())
    assert len(operations) > 20
    report = ticket()
    manager = StaffFactory()
    user_grant_org_role(user=manager, role=OrgRole.MANAGER)
    callers = {
        "anonymous": APIClient(),
        "citizen": client_for(report.reporter.user),
        "other citizen": client_for(citizen().user),
        "officer": client_for(officer()),
        "manager": client_for(manager),
        "superuser": client_for(UserFactory(is_staff=True, is_superuser=True)),
    }
    values = {"public_id": report.public_id, "n": "1"}
    parse_errors: set[tuple[str, str]] = set()
    statuses: dict[str, int] = {}
    for method, template in operations:
        path = template
        for name, value in values.items():
            path = path.replace(f"{{{name}}}", value)
        path = path.replace("{", "").replace("}", "")  # any other id: a 404 is fine
        for who, client in callers.items():
            for body in (DEEP, DEEP_OBJECT):
                response = getattr(client, method)(path, body, content_type="application/json")
                statuses[f"{who} {method.upper()} {path}"] = response.status_code
                assert response.status_code < 500, (who, method, path)
                assert response.status_code != 200 or method == "get", (who, method, path)
                if response.status_code == 400:
                    error = response.json()["error"]
                    assert set(error) >= {"code", "message", "fields"}
                    if error["code"] == "parse_error":
                        parse_errors.add((method, template))
    # The bodies the outside attack pass sent: each is refused by the parser.
    for method, template in [
        ("post", "/api/v1/reports/"),
        ("post", "/api/v1/auth/otp/request/"),
        ("post", "/api/v1/auth/otp/verify/"),
        ("post", "/api/v1/staff/auth/token/"),
        ("post", "/api/v1/staff/tickets/{public_id}/start/"),
        ("patch", "/api/v1/me/"),
    ]:
        assert (method, template) in parse_errors, (method, template)


def test_a_body_within_bounds_still_parses(api_client: APIClient) -> None:
    response = api_client.post(
        "/api/v1/auth/otp/request/", '{"phone": "0812 3456 789"}', content_type="application/json"
    )
    assert response.status_code == 202
