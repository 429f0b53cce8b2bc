"""Load test: ``make load`` or ``python -m loadtest`` (docs/operations.md, "Load test").

Starts the stack as ``make run`` does (``scripts/run.sh``: gunicorn, a Celery worker, beat)
on a free port of 127.0.0.1, signs the demo officers in through the staff API, runs the locust
scenario (``loadtest/locustfile.py``) headless for a bounded time, stops the stack and checks:

* no 5xx (and no request left without an answer) on any endpoint;
* every report a client got a 2xx for is in the database exactly once, by
  ``client_request_id``, under the report id the client was given.

Prints throughput and p50/p95/p99 per endpoint; the numbers and the verdict go to
``var/load/results.json``, with the outbox backlog the run left and how long the workers took
to deliver it (a message still waiting after five minutes fails the run). Settable by
environment: ``LOAD_USERS`` (200), ``LOAD_SECONDS`` (60), ``LOAD_SPAWN_RATE`` (users started a
second, 20); with ``PROFILE=prod``, ``WEB_INSTANCES``/``WORKER_INSTANCES`` and
``WEB_CPUS``/``WORKER_CPUS`` (``scripts/run.sh``: each instance held to that many CPUs).

``LOAD_HOLD_WORKERS=1`` measures the workers instead: the intake workers are stopped
(``SIGSTOP``) for the whole run, so every outbox message it queues waits, and then continued;
the time they take to deliver that backlog, with one instance or two (each capped by
``WORKER_CPUS``), is their capacity.

All simulated citizens sign in from 127.0.0.1, so the stack it starts allows as many OTP
codes per address as the run needs (``OTP_SENDS_PER_IP``); every other limit is the default.
"""

import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from drills.__main__ import ROOT, VAR, Stack, _call

OUT = VAR / "load"


class LoadStack(Stack):
    """The drills' stack, given longer to come up: run.sh first runs the whole set-up
    (migrations, fixtures), which takes minutes on a busy machine."""

    def wait_healthy(self, timeout: float = 300) -> None:
        try:
            super().wait_healthy(timeout)
        except SystemExit:
            self.stop()  # what run.sh started so far
            raise


OFFICERS = ("petugas.gambir", "sda.jakpus", "supervisor.sda.jakpus", "triase")


def _staff_tokens(port: int) -> list[str]:
    password = os.environ.get("DEMO_PASSWORD", "demo-password")
    tokens = []
    for username in OFFICERS:
        status, data = _call(
            port, "POST", "/api/v1/staff/auth/token/", {"username": username, "password": password}
        )
        if status == 200:
            tokens.append(str(data["token"]))
        else:
            print(f"  staff sign-in of {username}: {status} {data}", flush=True)
    return tokens


def _run_locust(port: int, tokens: list[str], users: int, seconds: int, rate: int) -> int:
    for name in ("accepted.jsonl", "statuses.json"):
        (OUT / name).unlink(missing_ok=True)
    env = {
        **os.environ,
        "LOAD_STAFF_TOKENS": json.dumps(tokens),
        "LOAD_SMS_LOG": str(VAR / "log" / "sms.log"),
        "LOAD_ACCEPTED": str(OUT / "accepted.jsonl"),
        "LOAD_STATUSES": str(OUT / "statuses.json"),
    }
    command = [
        str(ROOT / ".venv" / "bin" / "locust"),
        "-f",
        str(ROOT / "loadtest" / "locustfile.py"),
        "--headless",
        "--only-summary",
        "--host",
        f"http://127.0.0.1:{port}",
        "--users",
        str(users),
        "--spawn-rate",
        str(rate),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "15",
        "--csv",
        str(OUT / "locust"),
        "--loglevel",
        "WARNING",
    ]
    with (OUT / "locust.log").open("wb") as log:
        return subprocess.run(  # noqa: S603 - our own venv's locust
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=False
        ).returncode


def _endpoint_table() -> list[dict[str, Any]]:
    rows = []
    with (OUT / "locust_stats.csv").open(encoding="utf-8") as stats:
        for row in csv.DictReader(stats):
            rows.append(
                {
                    "endpoint": f"{row['Type']} {row['Name']}".strip(),
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "rps": float(row["Requests/s"]),
                    "p50_ms": row["50%"],
                    "p95_ms": row["95%"],
                    "p99_ms": row["99%"],
                }
            )
    return rows


def _count_reports(accepted: dict[str, str]) -> dict[str, Any]:
    """Reports in the database per accepted ``client_request_id``, and their ids."""
    from django.db import close_old_connections

    from apps.reports.models import Report

    close_old_connections()
    rows = list(
        Report.objects.filter(client_request_id__in=list(accepted)).values_list(
            "client_request_id", "public_id"
        )
    )
    stored = Counter(str(key) for key, _id in rows)
    ids = {str(key): str(public_id) for key, public_id in rows}
    return {
        "accepted": len(accepted),
        "lost": sorted(k for k in accepted if stored[k] == 0),
        "duplicated": sorted(k for k, n in stored.items() if n > 1),
        "other_id": sorted(k for k, v in accepted.items() if k in ids and ids[k] != v),
    }


def _intake_workers(stack: LoadStack) -> list[int]:
    """The intake Celery workers' processes (main and pool), every instance: all the stack's
    workers but the periodic one (whose pool processes carry its ``-Q periodic`` too)."""
    periodic = set(stack.children("-Q periodic"))
    return [pid for pid in stack.children("celery -A config worker") if pid not in periodic]


def _signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):  # gone already
            os.kill(pid, signum)


def _outbox_drain(since: datetime, timeout: float = 300) -> dict[str, Any]:
    """The intake workers' side of the run: how many of the run's outbox messages (CCTV
    linking, inbox messages) still wait when the load stops, and how long the workers then
    take to deliver them; more worker capacity shows as a smaller backlog drained sooner."""
    from apps.core.models import OutboxMessage

    waiting = OutboxMessage.objects.filter(delivered_at__isnull=True, created_at__gte=since)
    backlog = waiting.count()
    started = time.monotonic()
    left = backlog
    while left and time.monotonic() - started < timeout:
        time.sleep(0.5)
        left = waiting.count()
    seconds = round(time.monotonic() - started, 1) if backlog else 0.0
    rate = round((backlog - left) / seconds, 1) if seconds else None
    print(
        f"outbox: {backlog} messages waiting at the end, {left} after {seconds} s"
        f"{f' ({rate} delivered a second)' if rate else ''}",
        flush=True,
    )
    return {"backlog": backlog, "drain_seconds": seconds, "left": left, "per_second": rate}


def main() -> int:
    users = int(os.environ.get("LOAD_USERS", "200"))
    seconds = int(os.environ.get("LOAD_SECONDS", "60"))
    rate = int(os.environ.get("LOAD_SPAWN_RATE", "20"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["OTP_SENDS_PER_IP"] = str(max(1000, users * 10))
    import django

    django.setup()
    OUT.mkdir(parents=True, exist_ok=True)
    hold_workers = os.environ.get("LOAD_HOLD_WORKERS") == "1"
    shape = {
        "profile": os.environ.get("PROFILE", "dev"),
        "web_instances": int(os.environ.get("WEB_INSTANCES", "1")),
        "worker_instances": int(os.environ.get("WORKER_INSTANCES", "1")),
        "web_cpus": os.environ.get("WEB_CPUS") or None,
        "worker_cpus": os.environ.get("WORKER_CPUS") or None,
        "workers_held": hold_workers,
    }
    print(
        f"==> starting the stack ({shape['profile']} profile, {shape['web_instances']} gunicorn, "
        f"{shape['worker_instances']} intake worker; CPUs each: web {shape['web_cpus'] or 'any'}, "
        f"worker {shape['worker_cpus'] or 'any'}); then {users} users for {seconds} s",
        flush=True,
    )
    stack = LoadStack()
    held: list[int] = []
    try:
        tokens = _staff_tokens(stack.port)
        if hold_workers:
            held = _intake_workers(stack)
            _signal_all(held, signal.SIGSTOP)
            print(f"intake workers stopped for the run ({len(held)} processes)", flush=True)
        started, started_at = time.monotonic(), datetime.now(UTC)
        locust_rc = _run_locust(stack.port, tokens, users, seconds, rate)
        elapsed = time.monotonic() - started
        if held:
            _signal_all(held, signal.SIGCONT)
            held = []
        drain = _outbox_drain(started_at)
    finally:
        _signal_all(held, signal.SIGCONT)  # a stopped process would not stop with the stack
        stack.stop()
    accepted: dict[str, str] = {}
    if (OUT / "accepted.jsonl").exists():
        for line in (OUT / "accepted.jsonl").read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if accepted.get(entry["key"], entry["id"]) != entry["id"]:
                print(f"  two report ids for one request id: {entry['key']}")
            accepted[entry["key"]] = entry["id"]
    statuses_path = OUT / "statuses.json"
    statuses = json.loads(statuses_path.read_text()) if statuses_path.exists() else {}
    table = _endpoint_table()
    reports = _count_reports(accepted)
    five_xx = {s: n for s, n in statuses.items() if int(s) >= 500 or int(s) == 0}

    width = max(len(r["endpoint"]) for r in table)
    print(
        f"\n{'endpoint':<{width}} {'reqs':>7} {'fail':>5} {'req/s':>7} "
        f"{'p50':>6} {'p95':>6} {'p99':>6}  (ms)"
    )
    for r in table:
        print(
            f"{r['endpoint']:<{width}} {r['requests']:>7} {r['failures']:>5} {r['rps']:>7.1f} "
            f"{r['p50_ms']:>6} {r['p95_ms']:>6} {r['p99_ms']:>6}"
        )
    load = os.getloadavg()
    print(f"\nstatuses: {dict(sorted(statuses.items()))}")
    print(
        f"reports accepted {reports['accepted']}, lost {len(reports['lost'])}, duplicated "
        f"{len(reports['duplicated'])}, stored under another id {len(reports['other_id'])}"
    )
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    ok = (
        bool(table)
        and not five_xx
        and not reports["lost"]
        and not reports["duplicated"]
        and not reports["other_id"]
        and not drain["left"]
    )
    result = {
        **shape,
        "users": users,
        "seconds": seconds,
        "elapsed": round(elapsed, 1),
        "endpoints": table,
        "statuses": statuses,
        "reports": {k: v if isinstance(v, int) else len(v) for k, v in reports.items()},
        "outbox": drain,
        "locust_exit": locust_rc,
        "load_average": load,
        "held": ok,
    }
    (OUT / "results.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"{'HELD' if ok else 'BROKEN'}: results in {OUT / 'results.json'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
