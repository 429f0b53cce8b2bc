from pathlib import Path

import pytest
from django.conf import LazySettings


@pytest.fixture(autouse=True)
def _private_media(settings: LazySettings, tmp_path: Path) -> Path:
    """Photos filed by these tests land in a temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
