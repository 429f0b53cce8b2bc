"""The Open311 api_key is accepted in the query string but never written to a log
(docs/security.md, row 9): not by gunicorn's access log as `make run` configures it, not by
any Django logger (the console handler's filter), not in an error's traceback text."""

import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from apps.core.log_redaction import RedactSecretsFilter, redact
from apps.open311.services import client_app_create

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_redact_replaces_every_secret_parameter_value() -> None:
    line = 'GET /open311/v2/requests.json?x=1&api_key=S3CRET-1&API_KEY=S2 HTTP/1.1 "?token=T"'
    cleaned = redact(line)
    assert "S3CRET-1" not in cleaned
    assert "S2" not in cleaned.replace("S2 HTTP", "")
    assert "api_key=[redacted]" in cleaned
    assert "x=1" in cleaned


def _console_handler() -> logging.Handler:
    for handler in logging.root.handlers:
        if any(isinstance(f, RedactSecretsFilter) for f in handler.filters):
            return handler
    raise AssertionError("the console handler has no RedactSecretsFilter")


def test_django_logging_never_writes_the_key(monkeypatch: Any) -> None:
    _app, key = client_app_create(name="Aplikasi Kota")
    handler = _console_handler()
    stream = io.StringIO()
    monkeypatch.setattr(handler, "stream", stream)
    client = Client()
    answered = client.post(
        f"/open311/v2/requests.json?api_key={key}",
        {"service_code": "no-such-service", "lat": "-6.1754", "long": "106.8272"},
    )
    client.get(f"/open311/v2/nothing-here.json?api_key={key}")
    logging.getLogger("apps.open311").warning("client called /x?api_key=%s", key)
    try:
        raise ValueError(f"failed at /open311/v2/requests.json?api_key={key}")
    except ValueError:
        logging.getLogger("django.request").exception("Internal Server Error")

    assert answered.status_code == 404  # an unknown service (GeoReport v2), logged as such
    written = stream.getvalue()
    assert "api_key=[redacted]" in written
    assert key not in written


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_gunicorn_access_log_of_make_run_redacts_the_key(tmp_path: Path) -> None:
    run_sh = (ROOT / "scripts" / "run.sh").read_text()
    assert "--logger-class apps.core.log_redaction.RedactingGunicornLogger" in run_sh
    port, log = _free_port(), tmp_path / "access.log"
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(log),
            "--logger-class",
            "apps.core.log_redaction.RedactingGunicornLogger",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/open311/discovery.json?api_key=SECRET-KEY-123&x=1"
        for _ in range(100):
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    assert response.status == 200
                break
            except OSError:
                time.sleep(0.1)
        for _ in range(50):
            if log.exists() and log.read_text():
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)
    written = log.read_text()
    assert "/open311/discovery.json?api_key=[redacted]&x=1" in written
    assert "SECRET-KEY-123" not in written
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["redact_secrets"]
