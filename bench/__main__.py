"""Run benchmarks: ``python -m bench`` (all) or ``python -m bench routing report_create``.

Writes every summary, each target's verdict and the machine's load to
``var/bench/results.json``, and exits 1 if a target was not met.
"""

import argparse
import importlib
import json
import os
import pkgutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def available() -> list[str]:
    import bench

    modules = pkgutil.iter_modules(bench.__path__)
    return sorted(m.name for m in modules if not m.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    names = available()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: all of {names})")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(names))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(names)}")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.conf import settings

    from bench._common import checkpoint, compact, scale

    load_before = os.getloadavg()
    started_at = datetime.now(UTC)
    summaries: dict[str, Any] = {}
    for name in args.names or names:
        print(f"\n=== bench.{name} ===", flush=True)
        compacted = compact()  # the dead rows an earlier (rolled-back) benchmark left
        if compacted:
            print(f"compacted (VACUUM FULL ANALYZE): {', '.join(compacted)}", flush=True)
        if not checkpoint():  # what the previous benchmark left dirty is written out now
            print("CHECKPOINT not allowed for this role (pg_checkpoint); measuring without")
        started = time.perf_counter()
        module = importlib.import_module(f"bench.{name}")
        saved_argv, sys.argv = sys.argv, [f"bench.{name}"]  # a module's own argparse sees none
        try:
            summaries[name] = module.main()
        finally:
            sys.argv = saved_argv
        print(f"--- bench.{name} took {time.perf_counter() - started:.1f} s", flush=True)

    print("\n=== summary ===")
    for name, summary in summaries.items():
        print(f"{name}: {summary}")
    verdicts = [v for summary in summaries.values() for v in summary.get("verdicts", [])]
    print(f"\n=== verdicts (BENCH_SCALE={scale()}) ===")
    for v in verdicts:
        sign = ">=" if v["at_least"] else "<="
        state = "met" if v["met"] else "NOT met"
        print(f"{state:8} {v['target']}: {v['value']} (target {sign} {v['limit']})")
    load_after = os.getloadavg()
    print(f"load average (1/5/15 min): {load_before} at the start, {load_after} at the end")
    results = {
        "started_at": started_at.isoformat(),
        "scale": scale(),
        "commit": _commit(),
        "cores": os.cpu_count(),
        "load_average_start": load_before,
        "load_average_end": load_after,
        "benchmarks": summaries,
        "all_met": all(v["met"] for v in verdicts),
    }
    path = Path(settings.VAR_DIR) / "bench" / "results.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"results: {path}")
    return 0 if results["all_met"] else 1


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
