"""Run benchmarks: ``python -m bench`` (all) or ``python -m bench routing report_create``."""

import argparse
import importlib
import os
import pkgutil
import sys
import time
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

    summaries: dict[str, Any] = {}
    for name in args.names or names:
        print(f"\n=== bench.{name} ===", flush=True)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
