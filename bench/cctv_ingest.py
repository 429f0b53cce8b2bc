"""Bulk clip ingest through the VMS API: 1,000-clip requests (docs/cctv.md).

Run: ``python -m bench cctv_ingest``; ``BENCH_SCALE=small`` for a quick run.
In process (Django's test client: JSON parsing, API-key authentication, validation, the
set-based insert and the clip-request fulfilment), inside one transaction rolled back at
the end. Baseline, in the same run: a naive per-clip ORM ``get_or_create`` (what a plain
``ModelSerializer`` + ``save()`` per item would do) over one 1,000-clip batch.

Target: ≥ 2,000 clips/s, and the ratio to the baseline.
"""

import hashlib
import json
import os
import sys
import time
from datetime import timedelta
from typing import Any

from bench._common import scaled
from bench._common import verdict as _verdict

REQUESTS = scaled(30, 3)
BATCH = 1_000
KEY = "bench-vms-key"


class _Rollback(Exception):
    pass


def _batch(cameras: list[str], index: int, base: Any) -> list[dict[str, Any]]:
    clips = []
    for n in range(BATCH):
        camera = cameras[n % len(cameras)]
        start = base + timedelta(minutes=5 * (index * BATCH + n) // len(cameras))
        clips.append(
            {
                "camera": camera,
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=5)).isoformat(),
                "storage_uri": f"https://vms.example/{camera}/{index}/{n}.mp4",
                "sha256": hashlib.sha256(f"{camera}{index}{n}".encode()).hexdigest(),
                "size": 12_345_678,
            }
        )
    return clips


def _naive(vms: Any, clips: list[dict[str, Any]]) -> None:
    from django.utils.dateparse import parse_datetime

    from apps.cctv.models import Camera, Clip

    for item in clips:
        camera = Camera.objects.get(vms=vms, code=item["camera"])
        Clip.objects.get_or_create(
            camera=camera,
            starts_at=parse_datetime(item["start"]),
            sha256=item["sha256"],
            defaults={
                "ends_at": parse_datetime(item["end"]),
                "storage_uri": item["storage_uri"],
                "size_bytes": item["size"],
                "retain_until": parse_datetime(item["end"]) + timedelta(days=14),
            },
        )


def main() -> dict[str, Any]:
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from apps.cctv.models import Camera
    from apps.cctv.services import vms_assign_cameras, vms_register

    summary: dict[str, Any] = {}
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {KEY}", HTTP_HOST="127.0.0.1")
    base = (timezone.now() - timedelta(days=400)).replace(microsecond=0)
    try:
        with transaction.atomic():
            vms, _key = vms_register(code="bench-vms", name="Bench VMS", key=KEY)
            cameras = list(Camera.objects.order_by("code").values_list("code", flat=True)[:200])
            vms_assign_cameras(vms=vms, codes=cameras)
            bodies = [json.dumps({"clips": _batch(cameras, i, base)}) for i in range(REQUESTS + 1)]

            sid = transaction.savepoint()
            started = time.perf_counter()
            _naive(vms, json.loads(bodies[0])["clips"])
            naive_rate = BATCH / (time.perf_counter() - started)
            transaction.savepoint_rollback(sid)

            client.post("/api/v1/cctv/clips/", bodies[0], content_type="application/json")
            started = time.perf_counter()
            created = 0
            for body in bodies[1:]:
                response = client.post("/api/v1/cctv/clips/", body, content_type="application/json")
                assert response.status_code == 200, response.content[:300]
                created += response.json()["created"]
            seconds = time.perf_counter() - started
            rate = created / seconds
            started = time.perf_counter()
            replay = client.post("/api/v1/cctv/clips/", bodies[1], content_type="application/json")
            replay_seconds = time.perf_counter() - started
            assert replay.json()["duplicates"] == BATCH
            verdict = "OK" if rate >= 2000 else "MISSED"
            verdicts = [
                _verdict("cctv_ingest clips/s (absolute)", rate, 2000, at_least=True),
            ]
            print(
                f"naive per-clip ORM: {naive_rate:.0f} clips/s (one batch of {BATCH:,})\n"
                f"API bulk ingest: {REQUESTS} requests x {BATCH:,} clips, {created:,} created in "
                f"{seconds:.2f} s = {rate:.0f} clips/s; a replayed batch (all duplicates) "
                f"{replay_seconds * 1000:.0f} ms\n"
                f"ratio: {rate / naive_rate:.1f}x the naive loop; target >= 2,000 clips/s: "
                f"{verdict}",
                flush=True,
            )
            summary = {
                "clips": created,
                "clips_per_s": round(rate),
                "naive_clips_per_s": round(naive_rate),
                "ratio": round(rate / naive_rate, 1),
                "verdict": verdict,
                "verdicts": verdicts,
            }
            raise _Rollback
    except _Rollback:
        pass
    return summary


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    main()
    sys.exit(0)
