"""What every benchmark shares: the scale it runs at and how it states a verdict.

``BENCH_SCALE=small`` runs every benchmark on smaller data and fewer requests (all of them
in under 3 minutes), for a quick check; the default, ``full``, is the scale the targets in
docs/benchmarks.md are stated for. Every target is a ratio to a baseline measured in the same
run; absolute times are printed as information only (they move with the machine's load).
"""

import os
from typing import Any

SCALES = ("full", "small")


def scale() -> str:
    value = os.environ.get("BENCH_SCALE", "full")
    if value not in SCALES:
        raise SystemExit(f"BENCH_SCALE must be one of {', '.join(SCALES)}, not {value!r}")
    return value


def scaled(full: int, small: int) -> int:
    """``full`` at the default scale, ``small`` with ``BENCH_SCALE=small``."""
    return small if scale() == "small" else full


def tickets(full: int, small: int, *, variable: str = "BENCH_TICKETS") -> int:
    """The size of a benchmark's main table (tickets; reporters for ``identity_lookup``;
    clips for ``cctv_linking``, with ``variable="BENCH_CLIPS"``): the variable if set (e.g.
    ``BENCH_TICKETS=10000``, for the table of how cost grows with size in
    docs/benchmarks.md), else ``scaled(full, small)``."""
    value = os.environ.get(variable)
    if value is None:
        return scaled(full, small)
    try:
        size = int(value.replace("_", ""))
    except ValueError:
        size = 0
    if size < 1_000:
        raise SystemExit(f"{variable} must be a whole number of at least 1000, not {value!r}")
    return size


def verdict(target: str, value: float, limit: float, *, at_least: bool = False) -> dict[str, Any]:
    """Print and return one target's verdict: ``value`` against ``limit`` (a ratio).

    ``at_least``: the value must reach the limit (a share of the baseline, a speed-up);
    otherwise it must not exceed it (a cost as a multiple of the baseline).
    """
    met = value >= limit if at_least else value <= limit
    sign = ">=" if at_least else "<="
    print(f"VERDICT {target}: {value:.2f} (target {sign} {limit:g}): {'met' if met else 'NOT met'}")
    return {
        "target": target,
        "value": round(value, 3),
        "limit": limit,
        "at_least": at_least,
        "met": met,
    }


DEAD_ROWS = 10_000

DEAD_TABLES_SQL = """
SELECT quote_ident(schemaname) || '.' || quote_ident(relname)
FROM pg_stat_user_tables WHERE n_dead_tup > %s ORDER BY relname
"""


def checkpoint() -> bool:
    """``CHECKPOINT``: write out what the previous benchmark (and the compaction) left dirty.

    A benchmark that builds a million rows writes gigabytes of WAL, which forces a checkpoint;
    PostgreSQL spreads it over minutes (``checkpoint_completion_target``), so it would still be
    writing under the next benchmark's measurements, and slow a write-heavy subject (report
    creation) more than its read-only baseline. The runner calls this after compacting, so
    every benchmark starts with nothing left to write. Needs superuser or ``pg_checkpoint``
    (``scripts/dev.sh`` grants it to the project's role); returns False where not allowed.
    """
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        return False
    return True


def compact() -> list[str]:
    """``VACUUM FULL ANALYZE`` of every table holding more than ``DEAD_ROWS`` dead rows.

    Every benchmark builds its data inside a transaction it rolls back, which leaves a million
    dead rows (and their index entries) behind until autovacuum comes. A baseline that scans
    them is slower, and the ratio to it flatters the subject: the next benchmark, or the next
    run, would measure another database. The runner calls this before each benchmark, so every
    run starts from the same compact tables. Returns the tables compacted.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(DEAD_TABLES_SQL, [DEAD_ROWS])
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:  # VACUUM runs outside a transaction: Django's autocommit
            cursor.execute(f"VACUUM (FULL, ANALYZE) {table}")
    return tables
