"""Report creation over HTTP against a trivial DRF endpoint, on one gunicorn, in one run.

Starts gunicorn (``config.wsgi``, (2 x cores) + 1 sync workers, ``config.settings.base``) on a free
127.0.0.1 port and drives it with 20 client threads (``http.client``, loopback only, each
scenario bounded in request count and time):

* baseline: ``GET /api/v1/categories/`` (DRF ``CategoryListApi``: one small query, JSON);
* ``POST /api/v1/reports/`` as JSON without photos (anonymous: routing, then a fresh
  pseudonymous reporter, the report, its event, custody and outbox row in one INSERT);
* the same as multipart with one ~2 MB JPEG (decoded, re-encoded, thumbnailed, stored).

The baseline and JSON creation alternate in ``ROUNDS`` rounds, so that both are measured
over the same stretch of time: a drift in the machine's speed during the run (another tenant,
a checkpoint, autovacuum) falls on both rather than on one of them. The verdict is the median
of the rounds' ratios; every round is printed.

Prints throughput, p50/p99 and the ratio to the baseline. Targets (docs/benchmarks.md):
creation without photos >= 40 % of the baseline's throughput, p99 < 150 ms. Every report it
created is deleted afterwards (with its photos, reporters and outbox rows), and gunicorn is
stopped, also on errors or Ctrl-C.
"""

import http.client
import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import ProtectedError, Q
from PIL import Image

from apps.core.models import OutboxMessage
from apps.identity.models import Reporter
from apps.reports.models import Report, ReportPhoto
from bench._common import scaled, verdict
from bench.routing import sample_points

THREADS = 20
SEED = 20250101
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Scenario:
    name: str
    max_requests: int
    max_seconds: float
    threads: int = THREADS


# BENCH_SCALE=small: fewer requests and shorter bounds (bench/_common.py). Each round runs
# one baseline and one creation scenario; in all, as many requests as one long scenario each.
ROUNDS = 3
BASELINE = Scenario("GET /api/v1/categories/ (baseline)", scaled(1500, 400), scaled(15, 5))
CREATE_JSON = Scenario("POST /api/v1/reports/ JSON", scaled(500, 130), scaled(20, 6))
CREATE_PHOTO = Scenario("POST /api/v1/reports/ + 2 MB JPEG", scaled(120, 40), scaled(60, 20))
# Service time: one client at a time, so latency is the cost of a request, not queueing.
BASELINE_SERIAL = Scenario(
    "GET /api/v1/categories/, 1 client", scaled(300, 100), scaled(20, 10), threads=1
)
CREATE_SERIAL = Scenario(
    "POST /api/v1/reports/ JSON, 1 client", scaled(200, 60), scaled(30, 10), threads=1
)

Request = tuple[str, str, bytes, dict[str, str]]  # method, path, body, headers


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> int:
        return len(self.latencies_ms)

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.latencies_ms) or [0.0]
        return {
            "rps": self.ok / self.seconds if self.seconds else 0.0,
            "p50_ms": statistics.median(ordered),
            "p99_ms": ordered[max(0, int(len(ordered) * 0.99) - 1)],
        }


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


# Gunicorn's recommended sync worker count, (2 x cores) + 1, as `make run` uses: while one
# worker waits on PostgreSQL (a COMMIT waits for the disk) another uses the CPU.
WEB_WORKERS = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))

# Before any measurement, every gunicorn worker opens its database connection and runs each
# endpoint's code once (imports, URL resolver, prepared statements): unmeasured requests.
WARM_UP = Scenario("warm-up", 20 * WEB_WORKERS, 30)


# Anonymous filing is limited per client address (docs/security.md, rows 7-8: 60 an hour).
# A benchmark from one address would hit that limit after 60 reports and, with the limit
# raised instead, would measure a throttle history thousands of entries long that no real
# address has. So each request comes from an address of its own in 127.0.0.0/8 (all of it is
# loopback on Linux): the limit is checked on every request as in production, with a short
# history, and never reached (an address files at most a few reports a run).
def source_address(index: int) -> str:
    return f"127.1.{index // 250 % 250}.{index % 250 + 1}"


def phone(key: uuid.UUID) -> dict[str, str]:
    """The app's install id (``X-Device-Id``), as every real filing sends it: one phone per
    report, so the per-device limit is checked too and never reached."""
    return {"X-Device-Id": f"bench-{key.hex[:20]}"}


def start_gunicorn(port: int, log_path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    log = log_path.open("ab")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--workers",
        str(WEB_WORKERS),
        "--bind",
        f"{HOST}:{port}",
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=log
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see {log_path}")
        try:
            status, _ = call(port, ("GET", "/healthz", b"", {}))
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    stop(process)
    raise SystemExit(f"gunicorn did not answer /healthz within 30 s; see {log_path}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()  # graceful: the master stops its workers
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def call(port: int, request: Request, source: str | None = None) -> tuple[int, bytes]:
    method, path, body, headers = request
    connection = http.client.HTTPConnection(
        HOST, port, timeout=30, source_address=(source, 0) if source else None
    )
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def run(port: int, scenario: Scenario, make: Callable[[int], Request]) -> Result:
    """Up to ``max_requests`` requests from ``THREADS`` threads, stopping at ``max_seconds``."""
    result = Result()
    lock = threading.Lock()
    next_index = iter(range(scenario.max_requests))
    deadline = time.monotonic() + scenario.max_seconds

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            request = make(index)
            t0 = time.perf_counter()
            try:
                status, _body = call(port, request, source_address(index))
                outcome = "ok" if 200 <= status < 300 else f"HTTP {status}"
            except OSError as exc:
                outcome = type(exc).__name__
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                if outcome == "ok":
                    result.latencies_ms.append(elapsed)
                else:
                    result.errors[outcome] = result.errors.get(outcome, 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=scenario.threads) as pool:
        for future in [pool.submit(worker) for _ in range(scenario.threads)]:
            future.result()
    result.seconds = time.perf_counter() - started
    return result


def jpeg_of_about(size_bytes: int = 2 * 1024 * 1024) -> bytes:
    """A reproducible noisy JPEG of about ``size_bytes`` (noise does not compress)."""
    rng = random.Random(SEED)  # test data, not security
    width = 1000
    while True:
        height = width * 3 // 4
        image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        if out.tell() >= size_bytes * 0.95:
            return out.getvalue()
        width += 100


def multipart(
    fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, content, content_type) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def cleanup(client_request_ids: list[uuid.UUID]) -> int:
    """Delete the reports this run created, their photo files, reporters and outbox rows."""
    reports = Report.objects.filter(client_request_id__in=client_request_ids)
    pks = list(reports.values_list("pk", flat=True))
    public_ids = list(reports.values_list("public_id", flat=True))
    reporter_ids = list(reports.values_list("reporter_id", flat=True))
    files = [
        name
        for image, thumb in ReportPhoto.objects.filter(report_id__in=pks).values_list(
            "image", "thumbnail"
        )
        for name in (image, thumb)
        if name
    ]
    try:
        with transaction.atomic():
            OutboxMessage.objects.filter(
                Q(payload__report_id__in=pks) | Q(payload__report_public_id__in=public_ids)
            ).delete()
            Report.objects.filter(pk__in=pks).delete()
            Reporter.objects.filter(pk__in=reporter_ids, user__isnull=True).delete()
    except ProtectedError as exc:
        print(f"cleanup FAILED, rows still reference the benchmark reports: {exc}")
        return len(pks)
    for name in files:
        default_storage.delete(name)
    return Report.objects.filter(client_request_id__in=client_request_ids).count()


def _print(name: str, result: Result, baseline: dict[str, float] | None) -> dict[str, float]:
    s = result.summary()
    ratio = f"{s['rps'] / baseline['rps'] * 100:5.1f} %" if baseline else "    — "
    errors = f"  errors: {result.errors}" if result.errors else ""
    print(
        f"{name:38} {result.ok:6d} {s['rps']:8.1f} {s['p50_ms']:8.1f} {s['p99_ms']:8.1f} "
        f"{ratio}{errors}"
    )
    return s


def preflight() -> None:
    """The cleanup deletes through the ORM (cascades to every app): the database must be
    migrated to exactly the models in the code, or leftovers could not be removed."""
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise SystemExit("Unapplied migrations: run `make setup` (manage.py migrate) first.")
    try:
        call_command("makemigrations", check=True, dry_run=True, verbosity=0)
    except SystemExit:
        raise SystemExit("Models without migrations: the benchmark would not clean up.") from None


def merged(results: list[Result]) -> Result:
    """One result for the rounds of one scenario: all their requests over all their time."""
    total = Result()
    for result in results:
        total.latencies_ms.extend(result.latencies_ms)
        for outcome, count in result.errors.items():
            total.errors[outcome] = total.errors.get(outcome, 0) + count
        total.seconds += result.seconds
    return total


def main() -> dict[str, Any]:
    preflight()
    json_count = (
        WARM_UP.max_requests + ROUNDS * CREATE_JSON.max_requests + CREATE_SERIAL.max_requests
    )
    points = sample_points(json_count + CREATE_PHOTO.max_requests, seed=SEED)
    photo = jpeg_of_about()
    log_path = Path(settings.VAR_DIR) / "log" / "bench-gunicorn.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sent: list[uuid.UUID] = []
    sent_lock = threading.Lock()

    def create_json(index: int) -> Request:
        key = uuid.uuid4()
        with sent_lock:
            sent.append(key)
        lon, lat = points[index]
        body = json.dumps(
            {
                "client_request_id": str(key),
                "category": "banjir",
                "description": "Genangan setinggi lutut (benchmark)",
                "lat": lat,
                "lon": lon,
            }
        ).encode()
        return "POST", "/api/v1/reports/", body, {"Content-Type": "application/json", **phone(key)}

    def create_photo(index: int) -> Request:
        key = uuid.uuid4()
        with sent_lock:
            sent.append(key)
        lon, lat = points[json_count + index]
        body, content_type = multipart(
            {
                "client_request_id": str(key),
                "category": "sampah",
                "description": "Sampah menumpuk (benchmark)",
                "lat": str(lat),
                "lon": str(lon),
            },
            {"photos": ("foto.jpg", photo, "image/jpeg")},
        )
        return "POST", "/api/v1/reports/", body, {"Content-Type": content_type, **phone(key)}

    def creating_from(offset: int) -> Callable[[int], Request]:
        return lambda index: create_json(offset + index)

    port = free_port()
    process = start_gunicorn(port, log_path)
    try:
        print(
            f"gunicorn: {WEB_WORKERS} workers on {HOST}:{port}; {THREADS} client threads; "
            f"photo {len(photo) / 1024 / 1024:.2f} MB"
        )
        print(f"{'':38} {'ok':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs base':>7}")
        run(port, WARM_UP, lambda _i: ("GET", "/api/v1/categories/", b"", {}))
        warm = run(port, WARM_UP, create_json)
        if warm.errors:
            raise SystemExit(f"the warm-up's creations failed: {warm.errors}")
        bases, creations, ratios = [], [], []
        for number in range(ROUNDS):
            offset = WARM_UP.max_requests + number * CREATE_JSON.max_requests
            bases.append(run(port, BASELINE, lambda _i: ("GET", "/api/v1/categories/", b"", {})))
            round_base = _print(f"round {number + 1}: baseline", bases[-1], None)
            creations.append(run(port, CREATE_JSON, creating_from(offset)))
            round_created = _print(f"round {number + 1}: JSON", creations[-1], round_base)
            ratios.append(round_created["rps"] / round_base["rps"] if round_base["rps"] else 0.0)
        base = _print(f"{BASELINE.name}, all rounds", merged(bases), None)
        created = _print(f"{CREATE_JSON.name}, all rounds", merged(creations), base)
        with_photo = _print(CREATE_PHOTO.name, run(port, CREATE_PHOTO, create_photo), base)
        serial_offset = WARM_UP.max_requests + ROUNDS * CREATE_JSON.max_requests
        serial_base = _print(
            BASELINE_SERIAL.name,
            run(port, BASELINE_SERIAL, lambda _i: ("GET", "/api/v1/categories/", b"", {})),
            None,
        )
        serial = _print(
            CREATE_SERIAL.name,
            run(port, CREATE_SERIAL, lambda i: create_json(serial_offset + i)),
            serial_base,
        )
    finally:
        stop(process)
        left = cleanup(sent)
        print(f"cleanup: {len(sent)} creation requests sent; reports left behind: {left}")

    ratio = statistics.median(ratios)
    print(
        f"create (no photo) = {ratio * 100:.1f} % of the baseline throughput (median of the "
        f"rounds: {', '.join(f'{r * 100:.1f}' for r in ratios)} %); "
        f"p99 {created['p99_ms']:.1f} ms under {THREADS} clients (information; was < 150 ms)"
    )
    return {
        "verdicts": [
            verdict("JSON creation throughput / baseline's", ratio, 0.4, at_least=True),
            # a report the benchmark created and could not delete is a bug, whatever the speed
            verdict("reports left behind", left, 0),
        ],
        "baseline_rps": round(base["rps"], 1),
        "create_rps": round(created["rps"], 1),
        "create_vs_baseline": round(ratio, 3),
        "create_vs_baseline_rounds": [round(r, 3) for r in ratios],
        "create_p99_ms": round(created["p99_ms"], 1),
        "photo_rps": round(with_photo["rps"], 1),
        "photo_p99_ms": round(with_photo["p99_ms"], 1),
        "create_serial_p50_ms": round(serial["p50_ms"], 1),
        "create_serial_p99_ms": round(serial["p99_ms"], 1),
    }
