"""Linking one report against 1,500 cameras and 10,000,000 clips (docs/cctv.md).

Run: ``python -m bench cctv_linking``; ``BENCH_SCALE=small`` for a quick run (100,000 clips);
``BENCH_CLIPS`` sets any number (the growth table in docs/benchmarks.md).
Against the development database (``make setup`` loads the 450 real cameras).

Everything happens inside ONE transaction that is rolled back, so the database is left as it
was. In it:

1. cameras are added set-based until there are 1,500 (on points inside the real kelurahan,
   two in three with a heading, 60 to 120 degree fields of view), and 10,000,000 clips are inserted
   set-based (``INSERT … SELECT generate_series``: back-to-back 5-minute clips per camera, about
   23 days each), the clip table's indexes built after the load, then ``ANALYZE``;
2. the linking query (``apps.cctv.selectors.camera_matches``, the one the linking handler
   runs) for 300 report points (two thirds within 60 m of a camera, the rest anywhere) at
   random times in the footage's span: p50, p99, max;
3. baseline, in the same run: the same query with the camera's GiST index and the clip's
   (camera, starts_at) range index dropped (inside a savepoint, rolled back), on fewer points.

Target: p99 under 20 ms on 2 cores, and the ratio to the baseline.
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from typing import Any

from bench._common import tickets
from bench._common import verdict as _verdict

CAMERAS = 1_500
CLIPS = tickets(10_000_000, 100_000, variable="BENCH_CLIPS")
CLIP_MINUTES = 5
QUERIES = 300
BASELINE_QUERIES = 12


class _Rollback(Exception):
    pass


CAMERAS_SQL = """
WITH areas AS (
    SELECT array_agg(id ORDER BY id) AS ids, array_agg(boundary ORDER BY id) AS shapes,
           count(*) AS n
    FROM routing_area WHERE level = 'kelurahan'
)
INSERT INTO cctv_camera (code, name, location, heading, fov, range_m, status, kelurahan_id,
                         address, owner, source, source_url, attribution, qa_flags,
                         created_at, updated_at)
SELECT 'bench-' || g, 'Bench ' || g,
       COALESCE(
           (SELECT (ST_Dump(ST_GeneratePoints(areas.shapes[1 + g %% areas.n], 3, g))).geom
            LIMIT 1),
           ST_PointOnSurface(areas.shapes[1 + g %% areas.n])
       )::geography,
       CASE WHEN g %% 3 = 0 THEN NULL ELSE (g * 37) %% 360 END,
       CASE WHEN g %% 3 = 0 THEN NULL ELSE 60 + (g %% 61) END,
       100, 'online', areas.ids[1 + g %% areas.n], '', '', 'bench', '', '', '[]'::jsonb,
       now(), now()
FROM areas, generate_series(1, %(extra)s) AS g
"""

CLIPS_SQL = """
INSERT INTO cctv_clip (uid, camera_id, starts_at, ends_at, storage_uri, sha256, size_bytes,
                       poster_uri, retain_until, held_until, created_at)
SELECT gen_random_uuid(), c.id,
       %(base)s + make_interval(mins => i * %(minutes)s),
       %(base)s + make_interval(mins => (i + 1) * %(minutes)s),
       'https://vms.example/' || c.id || '/' || i || '.mp4',
       md5(c.id::text || ':' || i) || md5(i::text || ':' || c.id),
       10000000, '', %(base)s + interval '60 days', NULL, now()
FROM cctv_camera c, generate_series(0, %(per_camera)s - 1) AS i
"""


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _points(cursor: Any, n: int, rng: random.Random) -> list[tuple[float, float]]:
    cursor.execute(
        "SELECT ST_X(location::geometry), ST_Y(location::geometry) FROM cctv_camera "
        "ORDER BY md5(code) LIMIT %s",
        [n],
    )
    near = [
        (x + rng.uniform(-0.0005, 0.0005), y + rng.uniform(-0.0005, 0.0005))
        for x, y in cursor.fetchall()
    ]
    # Anywhere in Jakarta's mainland bounding box.
    anywhere = [(rng.uniform(106.69, 106.97), rng.uniform(-6.36, -6.09)) for _ in range(n)]
    return [near[i] if i % 3 else anywhere[i] for i in range(n)]


def _time(points: list[tuple[float, float]], times: list[Any]) -> tuple[list[float], int]:
    from django.contrib.gis.geos import Point

    from apps.cctv.selectors import camera_matches

    durations, found = [], 0
    for (lon, lat), at in zip(points, times, strict=True):
        started = time.perf_counter()
        matches = camera_matches(point=Point(lon, lat, srid=4326), at=at)
        durations.append((time.perf_counter() - started) * 1000)
        found += sum(len(m.clips) for m in matches)
    return durations, found


def main() -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    rng = random.Random(13)
    summary: dict[str, Any] = {}
    base = (timezone.now() - timedelta(days=30)).replace(microsecond=0, second=0)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            started = time.perf_counter()
            # The run changes these tables' indexes: take them first (no deadlock with a
            # running app; it waits until the rollback).
            cursor.execute("LOCK TABLE cctv_camera, cctv_clip IN ACCESS EXCLUSIVE MODE")
            cursor.execute("SELECT count(*) FROM cctv_camera")
            existing = cursor.fetchone()[0]
            cursor.execute(CAMERAS_SQL, {"extra": max(0, CAMERAS - existing)})
            cursor.execute("SELECT count(*) FROM cctv_camera")
            cameras = cursor.fetchone()[0]
            per_camera = max(1, CLIPS // cameras)
            # Load first, index after: the usual way to bulk-load a table.
            cursor.execute("ALTER TABLE cctv_clip DROP CONSTRAINT clip_once_per_camera_start_sha")
            cursor.execute("ALTER TABLE cctv_clip DROP CONSTRAINT cctv_clip_uid_key")
            cursor.execute("DROP INDEX clip_retain_until_idx")
            cursor.execute(
                CLIPS_SQL, {"base": base, "minutes": CLIP_MINUTES, "per_camera": per_camera}
            )
            cursor.execute("SELECT count(*) FROM cctv_clip")
            clips = cursor.fetchone()[0]
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred FK checks now
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute(
                "ALTER TABLE cctv_clip ADD CONSTRAINT clip_once_per_camera_start_sha "
                "UNIQUE (camera_id, starts_at, sha256)"
            )
            cursor.execute("ALTER TABLE cctv_clip ADD CONSTRAINT cctv_clip_uid_key UNIQUE (uid)")
            cursor.execute("CREATE INDEX clip_retain_until_idx ON cctv_clip (retain_until)")
            cursor.execute("ANALYZE cctv_camera")
            cursor.execute("ANALYZE cctv_clip")
            print(
                f"built {cameras:,} cameras and {clips:,} clips in "
                f"{time.perf_counter() - started:.0f} s (inside a transaction, rolled back)",
                flush=True,
            )
            points = _points(cursor, QUERIES, rng)
            span = per_camera * CLIP_MINUTES * 60
            times = [base + timedelta(seconds=rng.uniform(1800, span - 1800)) for _ in points]
            _time(points[:20], times[:20])  # warm the caches and the plan
            durations, found = _time(points, times)
            p50, p99 = statistics.median(durations), _percentile(durations, 0.99)
            print(
                f"indexed: {len(durations)} reports, {found} clips matched; p50 {p50:.2f} ms, "
                f"p99 {p99:.2f} ms, max {max(durations):.2f} ms",
                flush=True,
            )

            sid = transaction.savepoint()
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'cctv_camera' "
                "AND indexdef ILIKE '%%gist%%'"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute("ALTER TABLE cctv_clip DROP CONSTRAINT clip_once_per_camera_start_sha")
            picks = list(range(0, len(points), len(points) // BASELINE_QUERIES))[:BASELINE_QUERIES]
            slow, slow_found = _time([points[i] for i in picks], [times[i] for i in picks])
            transaction.savepoint_rollback(sid)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            bp50, bp99 = statistics.median(slow), _percentile(slow, 0.99)
            fast_same = [durations[i] for i in picks]
            ratio = statistics.median(slow) / max(statistics.median(fast_same), 1e-6)
            verdict = "OK" if p99 < 20 else "MISSED"
            verdicts = [
                _verdict("cctv_linking p99 (ms, absolute)", p99, 20),
            ]
            print(
                f"baseline (no GiST on cameras, no (camera, starts_at) index on clips): "
                f"{len(slow)} reports, {slow_found} clips matched; p50 {bp50:.0f} ms, "
                f"p99 {bp99:.0f} ms\n"
                f"ratio (median, same reports): {ratio:.0f}x; p99 {p99:.2f} ms "
                f"(target < 20 ms): {verdict}",
                flush=True,
            )
            summary = {
                "cameras": cameras,
                "clips": clips,
                "p50_ms": round(p50, 2),
                "p99_ms": round(p99, 2),
                "baseline_p50_ms": round(bp50),
                "baseline_p99_ms": round(bp99),
                "ratio": round(ratio),
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
