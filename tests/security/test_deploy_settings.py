"""Production settings (docs/security.md, row 10): `manage.py check --deploy` is clean under
config.settings.production driven by environment variables; a CSP is on the admin and the
pages; `make run` (base settings) stays plain HTTP."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _check_deploy(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_under_production_settings() -> None:
    result = _check_deploy(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_ALLOWED_HOSTS="lapor.example"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_when_the_environment_turns_https_off() -> None:
    result = _check_deploy(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SESSION_COOKIE_SECURE="false",
    )
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout
    assert "security.W012" in result.stderr + result.stdout


def test_the_development_settings_stay_plain_http() -> None:
    assert not getattr(settings, "SECURE_SSL_REDIRECT", False)
    assert not settings.SESSION_COOKIE_SECURE
    assert "127.0.0.1" in (ROOT / "scripts" / "run.sh").read_text()
    assert Client().get("/healthz").status_code in (200, 503)


@pytest.mark.parametrize("url", ["/admin/login/", "/api/docs/", "/dashboard/"])
def test_pages_carry_a_content_security_policy(url: str) -> None:
    response = Client().get(url, follow=True)
    policy = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_production_routes_intake_and_periodic_work_to_separate_queues() -> None:
    """make run PROFILE=prod and deploy/systemd run one worker per queue: every task of the
    project lands on one of the two, the outbox deliveries on "celery", the sweeps elsewhere."""
    script = (
        "import json; from config.celery_app import app; app.loader.import_default_modules(); "
        "r = app.amqp.router; "
        "print(json.dumps({n: (r.route({}, n).get('queue').name) for n in app.tasks "
        "if n.startswith('apps.')}))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    queues = json.loads(result.stdout.strip().splitlines()[-1])
    assert queues["apps.core.tasks.outbox_deliver"] == "celery"
    assert queues["apps.core.tasks.outbox_relay"] == "celery"
    assert queues["apps.sla.tasks.sla_sweep"] == "periodic"
    assert queues["apps.performance.tasks.performance_ledger_sync"] == "periodic"
    assert set(queues.values()) == {"celery", "periodic"}
