"""The outbox against a real broker: a report is accepted while Redis is unreachable, and a
real Celery worker (not eager mode) delivers an outbox message exactly once."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from celery import current_app
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from apps.core import outbox, tasks
from apps.core.models import OutboxMessage
from apps.identity.models import InboxMessage
from apps.reports.models import Report
from tests.reports.conftest import client_for
from tests.reports.factories import citizen


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def real_broker() -> Iterator[None]:
    """Celery publishing for real (not eager), restored afterwards."""
    conf = current_app.conf
    saved = (conf.task_always_eager, conf.broker_url, conf.task_publish_retry)
    conf.task_always_eager = False
    yield
    conf.task_always_eager, conf.broker_url, conf.task_publish_retry = saved
    _reset_pools()


def _reset_pools() -> None:
    # Celery caches its connection and producer pools on first use; a new broker URL needs
    # new pools.
    current_app._pool = None
    current_app.amqp._producer_pool = None


@pytest.mark.django_db
def test_a_report_is_accepted_while_the_broker_is_down(
    real_broker: None,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    current_app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    current_app.conf.task_publish_retry = False
    _reset_pools()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(citizen().user).post(
            "/api/v1/reports/",
            {
                "client_request_id": str(uuid.uuid4()),
                "category": "banjir",
                "description": "Banjir di depan stasiun",
                "lat": -6.1754,
                "lon": 106.8272,
            },
            format="json",
        )
    assert response.status_code == 201
    assert time.monotonic() - started < 10
    report = Report.objects.get(public_id=response.json()["id"])
    pending = OutboxMessage.objects.filter(delivered_at__isnull=True).count()
    # the reporter's "received" notification and the CCTV linking, waiting for the relay
    assert pending == 2
    # The broker is back (eager again here): the periodic relay delivers what waited.
    current_app.conf.task_always_eager = True
    assert outbox.relay() == pending
    # delivering the inbox message queued its push, which the next relay delivers
    assert outbox.relay() == 1
    assert not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()
    assert report.pk is not None


@pytest.mark.django_db
def test_after_a_failed_publish_the_next_reports_leave_their_messages_to_the_relay(
    real_broker: None,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    """Issue #17, drill 4: with Redis down, signed-in filing fell from ~115 to ~16 req/s,
    each request retrying the publish. Now one request finds the broker down, and the next
    ones do not try it again for ``OUTBOX_PUBLISH_PAUSE``; every message waits in its row."""
    current_app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    _reset_pools()  # Celery's publish retries stay at their default: the outbox turns them off
    publish = tasks.outbox_deliver.apply_async
    attempts: list[int] = []

    def counted(*args: object, **kwargs: object) -> object:
        attempts.append(1)
        return publish(*args, **kwargs)

    monkeypatch.setattr(tasks.outbox_deliver, "apply_async", counted)
    user = citizen().user
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(user).post(
                "/api/v1/reports/",
                {
                    "client_request_id": str(uuid.uuid4()),
                    "category": "banjir",
                    "description": "Banjir di depan stasiun",
                    "lat": -6.1754,
                    "lon": 106.8272,
                },
                format="json",
            )
        assert response.status_code == 201
    assert len(attempts) == 1
    # two rows per report (the reporter's inbox message, the CCTV linking), all waiting
    assert OutboxMessage.objects.filter(delivered_at__isnull=True).count() == 6


@pytest.mark.django_db
def test_throttles_let_requests_through_when_the_cache_is_unreachable(
    api_client: APIClient, settings
) -> None:
    """The staff sign-in throttle counts in Redis: unreachable, it degrades (no 500)."""
    cache = dict(settings.CACHES["default"])
    cache["LOCATION"] = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CACHES = {"default": cache}
    for _ in range(3):
        response = api_client.post(
            "/api/v1/staff/auth/token/", {"username": "nobody", "password": "wrong"}
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_credentials"


def _start_worker(tmp_path: Path) -> tuple[str, subprocess.Popen[bytes]]:
    """A real ``celery worker`` (solo pool) on a queue of its own, against the test database."""
    current_app.conf.broker_url = settings.CELERY_BROKER_URL
    _reset_pools()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": (
            f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "LW_VAR_DIR": str(tmp_path),
        "PUSH_BACKEND": "apps.core.messaging.FilePushBackend",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(  # noqa: S603 - our own worker, fixed arguments
        [
            *(sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue),
            *("--pool", "solo", "--loglevel", "WARNING"),
            *("--without-heartbeat", "--without-gossip", "--without-mingle"),
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "worker.log").open("w"),
    )
    return queue, worker


def _stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.terminate()
        worker.wait(timeout=30)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_an_outbox_message_once(real_broker: None, tmp_path: Path) -> None:
    """Start ``celery worker`` on the real Redis against the test database."""
    queue, worker = _start_worker(tmp_path)
    try:
        message = OutboxMessage.objects.create(
            handler="apps.core.messaging.push_send",
            payload={"to": "Warga-W0RKER", "body": "Laporan Anda diproses"},
            available_at="2020-01-01T00:00:00Z",
        )
        # Delivered twice on purpose: a redelivered task must do nothing new.
        for _ in range(2):
            tasks.outbox_deliver.apply_async(kwargs={"message_id": message.pk}, queue=queue)
        log = tmp_path / "log" / "push.log"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            message.refresh_from_db()
            if message.delivered_at is not None and log.exists():
                break
            time.sleep(0.2)
        time.sleep(1.0)  # give the duplicate time to run (it must find nothing to do)
        lines = [json.loads(line) for line in log.read_text().splitlines()]
        assert lines == [
            {
                "to": "Warga-W0RKER",
                "body": "Laporan Anda diproses",
                "message_id": f"outbox:{message.pk}",
            }
        ]
        message.refresh_from_db()
        assert (message.delivered_at is not None, message.attempts) == (True, 1)
    except (AssertionError, FileNotFoundError):
        print((tmp_path / "worker.log").read_text())  # noqa: T201 - shown only on failure
        raise
    finally:
        _stop(worker)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_task_leaves_the_effect_to_happen_once(
    real_broker: None, tmp_path: Path
) -> None:
    """kill -9 the worker while the handler is inside its transaction: nothing it did is
    kept, the message stays undelivered, and the relay delivers it later, exactly once."""
    reporter = citizen()
    message = OutboxMessage.objects.create(
        handler="apps.identity.services.inbox_deliver",
        payload={
            "reporter_id": reporter.pk,
            "kind": "status",
            "title": "Laporan Anda diproses",
            "body": "",
            "report_public_id": "LW-KILL23",
            "dedup_key": "test:killed-worker",
        },
        available_at="2020-01-01T00:00:00Z",
    )
    queue, worker = _start_worker(tmp_path)
    db = connection.settings_dict
    try:
        # Another connection inserts the same dedup key and keeps its transaction open: the
        # handler's INSERT waits on the unique index, so the worker is caught inside its
        # transaction before it could send COMMIT (a COMMIT already sent may still land).
        with psycopg.connect(
            host=db["HOST"],
            port=db["PORT"],
            user=db["USER"],
            password=db["PASSWORD"],
            dbname=db["NAME"],
        ) as holder:
            holder.execute(
                "INSERT INTO identity_inboxmessage (public_id, reporter_id, kind, title, body,"
                " report_public_id, dedup_key, created_at)"
                " VALUES (gen_random_uuid(), %s, 'x', 'x', '', '', 'test:killed-worker', now())",
                [reporter.pk],
            )
            tasks.outbox_deliver.apply_async(kwargs={"message_id": message.pk}, queue=queue)
            assert _wait_for_a_blocked_backend(timeout=60), "the worker never reached the lock"
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
            holder.rollback()
    finally:
        _stop(worker)
    # The killed worker's backend notices its client is gone and rolls back.
    assert _wait_until_alone(timeout=30), "the killed worker's session lingers"
    message.refresh_from_db()
    assert (message.delivered_at, message.attempts) == (None, 0)
    assert not InboxMessage.objects.filter(dedup_key="test:killed-worker").exists()
    # The periodic relay finds the undelivered row; running it again changes nothing more.
    current_app.conf.task_always_eager = True
    assert outbox.relay() == 1
    assert outbox.relay() == 0
    assert InboxMessage.objects.filter(dedup_key="test:killed-worker").count() == 1


def _wait_for_a_blocked_backend(*, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.1)
    return False


def _wait_until_alone(*, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return True
            time.sleep(0.1)
    return False
