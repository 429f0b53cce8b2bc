"""Fault drills: ``make drill`` or ``python -m drills [name ...]`` (docs/operations.md).

Each drill starts the development stack as ``make run`` does (``scripts/run.sh``: gunicorn, a
Celery worker, beat) on a free port, signs a citizen in (OTP through the file SMS backend),
files reports from 10 client threads while it breaks something, and then checks the reliability
promises (docs/architecture.md, "Reliability"):

* every report answered 2xx is in the database exactly once (by ``client_request_id``), and no
  request got a 5xx other than the 503s the drill allows while PostgreSQL is down;
* a client that lost its answer retries with the same ``client_request_id`` and gets the same
  report (200), never a second one;
* every side effect is delivered exactly once in effect: each report's inbox message once, and
  each push in ``var/log/push.log`` once per outbox message (``message_id``).

Drills (all by default):

  pool-kill       kill -9 a Celery pool process, five times, while pushes are delivered
  main-kill       kill -9 the Celery worker's main process during delivery (run.sh restarts it)
  redis-down      Redis stopped while reports are filed; deliveries catch up when it is back
  postgres-down   PostgreSQL stopped for 5 s and started again under load
  web-kill        kill -9 gunicorn workers mid-request; clients retry the same request id
  graceful-stop   Ctrl-C (SIGINT to the process group) on run.sh under load: zero 5xx

Runs against the development database (``var/local.env``); never inside pytest. The suite keeps
one short drill (``tests/core/test_broker.py``: a worker killed during outbox delivery).
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
HOST = "127.0.0.1"
THREADS = 10


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _call(
    port: int, method: str, path: str, body: Any = None, token: str = "", timeout: float = 30
) -> tuple[int, dict[str, Any]]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    headers = {"Content-Type": "application/json", "Accept-Language": "id"}
    if token:
        headers["Authorization"] = f"Token {token}"
    try:
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = conn.getresponse()
        raw = response.read()
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {"raw": raw[:200].decode("utf-8", "replace")}
        return response.status, data
    finally:
        conn.close()


class Stack:
    """``scripts/run.sh`` in a session of its own, as a terminal would run it."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.log = (VAR / "log" / "drill-run.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own script
            [str(ROOT / "scripts" / "run.sh")],
            cwd=ROOT,
            env={**_own_servers_env(), "PORT": str(self.port), "CELERY_CONCURRENCY": "2"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_healthy()

    def wait_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if _call(self.port, "GET", "/healthz", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"the stack did not become healthy (see {self.log.name})")

    def children(self, needle: str) -> list[int]:
        """Pids of processes in the stack whose command line contains ``needle``."""
        out = subprocess.run(
            ["ps", "-eo", "pid=,ppid=,args="],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rows = [line.split(None, 2) for line in out.splitlines()]
        tree = {self.process.pid}
        for _ in range(4):  # run.sh -> celery main -> pool processes
            tree |= {int(pid) for pid, ppid, _a in rows if int(ppid) in tree}
        return [int(pid) for pid, _p, args in rows if int(pid) in tree and needle in args]

    def worker_main(self) -> int:
        mains = [
            pid
            for pid in self.children("celery -A config worker")
            if self._parent(pid) == self.process.pid
        ]
        return mains[0]

    def pool(self) -> list[int]:
        main = self.worker_main()
        return [
            pid for pid in self.children("celery -A config worker") if self._parent(pid) == main
        ]

    @staticmethod
    def _parent(pid: int) -> int:
        try:
            return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            return -1

    def interrupt(self) -> int:
        """Ctrl-C: SIGINT to run.sh's process group (its children run in their own)."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=120)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=120)


@dataclass
class Load:
    """Closed-loop clients filing reports; a lost answer is retried with the same id."""

    port: int
    token: str
    accepted: dict[str, str] = field(default_factory=dict)  # client_request_id -> report id
    statuses: Counter[int] = field(default_factory=Counter)
    retries: int = 0
    errors: list[str] = field(default_factory=list)
    allowed_5xx: tuple[int, ...] = ()
    stop_flag: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def file_one(self) -> None:
        key = str(uuid.uuid4())
        body = {
            "client_request_id": key,
            "category": "banjir",
            "description": "Genangan (latihan gangguan)",
            "lat": -6.1754 + random.uniform(-0.01, 0.01),
            "lon": 106.8272 + random.uniform(-0.01, 0.01),
        }
        for attempt in range(240):  # up to a minute: a restart under load takes a while
            try:
                status, data = _call(self.port, "POST", "/api/v1/reports/", body, self.token)
            except OSError:  # connection refused/reset, timeout: the answer is lost, retry
                status, data = 0, {}
            with self.lock:
                self.statuses[status] += 1
                if attempt:
                    self.retries += 1
                if status in (200, 201):
                    if key in self.accepted and self.accepted[key] != data["id"]:
                        raise AssertionError(f"{key}: two reports for one request id")
                    self.accepted[key] = data["id"]
                    return
            if status and status < 500 and status not in (409, 429):
                raise AssertionError(f"unexpected {status}: {data}")
            time.sleep(0.25)
        raise AssertionError(f"{key}: never accepted")

    def run(self, seconds: float | None = None, count: int | None = None) -> None:
        deadline = time.monotonic() + (seconds or 3600)
        left = [count if count is not None else 10**9]

        def client() -> None:
            while not self.stop_flag.is_set() and time.monotonic() < deadline:
                with self.lock:
                    if left[0] <= 0:
                        return
                    left[0] -= 1
                try:
                    self.file_one()
                except AssertionError as exc:
                    with self.lock:
                        self.errors.append(str(exc))
                    return

        threads = [threading.Thread(target=client) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def start(self, **kwargs: Any) -> threading.Thread:
        thread = threading.Thread(target=self.run, kwargs=kwargs)
        thread.start()
        return thread

    def five_xx(self) -> dict[int, int]:
        return {s: n for s, n in self.statuses.items() if s >= 500 and s not in self.allowed_5xx}


def sign_in(port: int) -> str:
    phone = f"+62813{random.randrange(10**7, 10**8)}"
    status, _data = _call(port, "POST", "/api/v1/auth/otp/request/", {"phone": phone})
    assert status == 202, status
    code = None
    for line in (VAR / "log" / "sms.log").read_text(encoding="utf-8").splitlines()[::-1]:
        message = json.loads(line)
        if message["to"] == phone:
            code = message["code"]
            break
    status, data = _call(port, "POST", "/api/v1/auth/otp/verify/", {"phone": phone, "code": code})
    assert status == 200, (status, data)
    return str(data["token"])


def check(load: Load, *, drain_seconds: float = 150) -> dict[str, Any]:
    """Nothing lost or duplicated; every side effect once (after the outbox drains)."""
    from django.db import close_old_connections

    from apps.core.models import OutboxMessage
    from apps.identity.models import InboxMessage
    from apps.reports.models import Report

    close_old_connections()
    keys = list(load.accepted)
    reports = dict(Report.objects.filter(client_request_id__in=keys).values_list("public_id", "pk"))
    stored = Counter(
        str(k)
        for k in Report.objects.filter(client_request_id__in=keys).values_list(
            "client_request_id", flat=True
        )
    )
    lost = [k for k in keys if stored[k] == 0]
    duplicated = [k for k, n in stored.items() if n > 1]
    assert set(load.accepted.values()) <= set(reports), "an accepted report id is not stored"
    # A report's own outbox keys name it by id, or by public id for those stored with it.
    prefixes = [f"report:{key}:" for item in reports.items() for key in item]
    push_prefixes = [f"push:{p}" for p in prefixes]

    def ours(rows: Any, pfx: list[str]) -> list[Any]:
        return [r for r in rows if any(r[1].startswith(p) for p in pfx)]

    deadline = time.monotonic() + drain_seconds
    while True:
        rows = OutboxMessage.objects.filter(dedup_key__startswith="push:report:").values_list(
            "pk", "dedup_key", "delivered_at"
        )
        inbox_rows = OutboxMessage.objects.filter(dedup_key__startswith="report:").values_list(
            "pk", "dedup_key", "delivered_at"
        )
        pushes = ours(rows, push_prefixes)
        # "report:<pk or public id>:" names both a report's inbox messages (":event:<pk>" or
        # ":event:created", each with a push) and its CCTV linking (":cctv-link", no push):
        # each must be delivered.
        ours_rows = ours(inbox_rows, prefixes)
        inbox = [r for r in ours_rows if ":event:" in r[1]]
        links = [r for r in ours_rows if r[1].endswith(":cctv-link")]
        pending = [r for r in pushes + inbox + links if r[2] is None]
        if (
            not pending
            and len(inbox) >= len(reports)
            and len(links) >= len(reports)
            and len(pushes) >= len(inbox)
        ):
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(pending)} outbox messages still undelivered")
        time.sleep(2)
    sent: Counter[str] = Counter()
    for line in (VAR / "log" / "push.log").read_text(encoding="utf-8").splitlines():
        message_id = json.loads(line).get("message_id")
        if message_id:
            sent[message_id] += 1
    push_ids = [f"outbox:{pk}" for pk, _k, _d in pushes]
    inbox_count = InboxMessage.objects.filter(report_public_id__in=list(reports)).count()
    result = {
        "accepted": len(keys),
        "statuses": dict(sorted(load.statuses.items())),
        "retries": load.retries,
        "lost": len(lost),
        "duplicated": len(duplicated),
        "inbox_messages": inbox_count,
        "pushes_missing": sum(1 for m in push_ids if sent[m] == 0),
        "pushes_repeated": sum(1 for m in push_ids if sent[m] > 1),
        "unexpected_5xx": load.five_xx(),
        "client_errors": load.errors[:5],
    }
    ok = (
        not lost
        and not duplicated
        and inbox_count == len(reports)
        and result["pushes_missing"] == 0
        and result["pushes_repeated"] == 0
        and not result["unexpected_5xx"]
        and not load.errors
    )
    result["held"] = ok
    return result


def _own_servers_env() -> dict[str, str]:
    """The environment without the URLs Django read from var/local.env: given them, dev.sh
    would take them for servers of someone else's, and neither start nor stop its own."""
    return {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}


def _dev(command: str) -> None:
    subprocess.run(  # noqa: S603
        [str(ROOT / "scripts" / "dev.sh"), command], cwd=ROOT, env=_own_servers_env(), check=True
    )


def _redis_pid() -> int:
    return int((VAR / "run" / "redis.pid").read_text().strip())


# ---------------------------------------------------------------- the drills
def drill_pool_kill(stack: Stack, load: Load) -> None:
    thread = load.start(count=150)
    for _ in range(5):
        time.sleep(1.5)
        pool = stack.pool()
        if pool:
            victim = random.choice(pool)
            os.kill(victim, signal.SIGKILL)
            print(f"  kill -9 pool process {victim}", flush=True)
    thread.join()


def drill_main_kill(stack: Stack, load: Load) -> None:
    thread = load.start(count=120)
    time.sleep(2)
    main = stack.worker_main()
    pool = stack.pool()  # before the kill: afterwards run.sh may already have started another
    os.kill(main, signal.SIGKILL)
    print(f"  kill -9 worker main process {main}", flush=True)
    for pid in pool:  # the orphaned pool processes die with their parent's pipe
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    thread.join()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if stack.worker_main() != main:
                return
        except IndexError:
            pass
        time.sleep(0.5)
    raise AssertionError("run.sh did not restart the killed worker")


def drill_redis_down(stack: Stack, load: Load) -> None:
    up = Load(port=load.port, token=load.token)
    started = time.monotonic()
    up.run(count=100)
    rate_up = 100 / (time.monotonic() - started)
    os.kill(_redis_pid(), signal.SIGTERM)
    time.sleep(1)
    started = time.monotonic()
    load.run(count=100)
    rate_down = 100 / (time.monotonic() - started)
    _dev("services")  # Redis back
    load.accepted.update(up.accepted)
    print(f"  signed-in filing: {rate_up:.0f} req/s with Redis, {rate_down:.0f} req/s without")
    if rate_down < rate_up / 2:
        raise AssertionError("filing without Redis is more than twice as slow")


def drill_postgres_down(stack: Stack, load: Load) -> None:
    load.allowed_5xx = (503,)
    thread = load.start(seconds=20)
    time.sleep(4)
    data = Path((VAR / "postgres.path").read_text().strip()) / "data"
    version = sorted(Path("/usr/lib/postgresql").iterdir())[-1]
    prefix = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    subprocess.run(  # noqa: S603
        [*prefix, str(version / "bin" / "pg_ctl"), "-D", str(data), "-w", "-m", "fast", "stop"],
        cwd="/",
        check=True,
        capture_output=True,
    )
    time.sleep(5)
    _dev("services")  # started again on its port
    thread.join()


def drill_web_kill(stack: Stack, load: Load) -> None:
    thread = load.start(count=200)
    for _ in range(8):
        time.sleep(0.7)
        workers = [
            pid for pid in stack.children("gunicorn") if stack._parent(pid) != stack.process.pid
        ]
        if workers:
            victim = random.choice(workers)
            os.kill(victim, signal.SIGKILL)
            print(f"  kill -9 gunicorn worker {victim}", flush=True)
    thread.join()


def drill_graceful_stop(stack: Stack, load: Load) -> Stack:
    thread = load.start(seconds=12)
    time.sleep(4)
    code = stack.interrupt()
    # The clients see refused connections while nothing listens; a new stack takes them.
    new = Stack()
    load.port = new.port
    thread.join()
    if code != 0:
        raise AssertionError(f"run.sh exited {code} on Ctrl-C")
    return new


DRILLS = {
    "pool-kill": drill_pool_kill,
    "main-kill": drill_main_kill,
    "redis-down": drill_redis_down,
    "postgres-down": drill_postgres_down,
    "web-kill": drill_web_kill,
    "graceful-stop": drill_graceful_stop,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m drills", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"drills (default: all of {list(DRILLS)})")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(DRILLS)
    if unknown:
        parser.error(f"unknown drill(s): {', '.join(sorted(unknown))}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    results: dict[str, Any] = {}
    stack = Stack()
    try:
        token = sign_in(stack.port)
        for name in args.names or list(DRILLS):
            print(f"=== drill {name}", flush=True)
            load = Load(port=stack.port, token=token)
            started = time.monotonic()
            try:
                replaced = DRILLS[name](stack, load)
                if isinstance(replaced, Stack):
                    stack = replaced
                result = check(load)
            except AssertionError as exc:
                result = {"held": False, "error": str(exc)}
            result["seconds"] = round(time.monotonic() - started, 1)
            results[name] = result
            print(f"  {'HELD' if result['held'] else 'BROKEN'}: {result}", flush=True)
    finally:
        stack.stop()
    path = VAR / "drill" / "results.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results: {path}; load average {os.getloadavg()}")
    return 0 if all(r["held"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
