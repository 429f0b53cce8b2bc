"""The triage tests share the reports tests' fixtures (private media, signed-in clients)."""

from tests.reports.conftest import (  # noqa: F401
    _private_media,
    make_client,
    reporter,
    reporter_client,
)
