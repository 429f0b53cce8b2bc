"""Fixtures of the reports tests: private media in a temporary directory, signed-in clients."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.identity.models import Reporter
from tests.reports.factories import citizen


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def client_for(user: User) -> APIClient:
    _token, key = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def make_client(db: None) -> Callable[[User], APIClient]:
    return client_for


@pytest.fixture
def reporter(db: None) -> Reporter:
    return citizen()


@pytest.fixture
def reporter_client(reporter: Reporter) -> APIClient:
    assert reporter.user is not None
    return client_for(reporter.user)
