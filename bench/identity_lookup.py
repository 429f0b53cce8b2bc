"""Sign-in lookup by phone: blind index + decrypting candidates vs a plaintext index.

Builds 1,000,000 reporters (pseudonym, wrapped data key, encrypted phone, 20-bit blind
index) in a scratch schema ``bench_identity_lookup`` whose tables are created from the
models by Django's schema editor (same columns, indexes and constraints as production),
then times the real ``apps.identity.vault.find_reporter`` against a plaintext indexed
lookup in the same run, and drops the schema. Target: the median blind-index lookup within
10x the plaintext one (p50; measured 4-8x); the p99 is information (it was < 20 ms).
``BENCH_SCALE=small``: 100,000 reporters, 500 lookups.

    .venv/bin/python -m bench.identity_lookup            # 1,000,000 reporters
    .venv/bin/python -m bench.identity_lookup --rows 100000 --lookups 500

Runs against the development database (``config.settings.base``); never inside pytest.
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from typing import Any

from bench._common import scaled, tickets, verdict

SCHEMA = "bench_identity_lookup"
TARGET_P99_MS = 20.0
TARGET_RATIO_P50 = 10.0


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def _phone(n: int) -> str:
    return f"+62812{n:08d}"


def _rows(start: int, stop: int) -> Iterator[tuple[Any, ...]]:
    """(reporter id, phone, blind-index bucket, kid, wrapped key, sealed phone) per reporter."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from apps.identity import keys, vault

    kid = keys.newest_master_kid()
    version = keys.newest_index_version()
    for reporter_id in range(start, stop):
        phone = _phone(reporter_id)
        data_key = AESGCM.generate_key(bit_length=256)
        yield (
            reporter_id,
            phone,
            keys.blind_index(field="phone", value=phone, version=version),
            kid,
            vault.wrap_data_key(data_key=data_key, reporter_id=reporter_id, kid=kid),
            vault.encrypt_value(
                data_key=data_key, row_id=reporter_id, field="phone", plaintext=phone
            ),
        )


def _create_schema(cursor: Any) -> None:
    from django.db import connection

    from apps.identity.models import BlindIndex, Reporter, ReporterIdentity, ReporterKey

    cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    cursor.execute(f"CREATE SCHEMA {SCHEMA}")
    cursor.execute(f"SET search_path TO {SCHEMA}, public")
    with connection.schema_editor() as editor:  # the production DDL, in the scratch schema
        for model in (Reporter, ReporterKey, ReporterIdentity, BlindIndex):
            editor.create_model(model)
    cursor.execute(
        f"CREATE TABLE {SCHEMA}.plain_phone (reporter_id bigint PRIMARY KEY, phone text)"
    )
    cursor.execute(f"CREATE UNIQUE INDEX plain_phone_phone ON {SCHEMA}.plain_phone (phone)")


def _set_aside_indexes(cursor: Any) -> list[str]:
    """Drop foreign keys, unique constraints and secondary indexes for the bulk load; return
    the DDL (from the catalogue, i.e. exactly what the models created) to put them back."""
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE connamespace = %s::regnamespace AND contype IN ('f', 'u') ORDER BY contype DESC",
        [SCHEMA],
    )
    restore: list[str] = []
    for table, name, definition in cursor.fetchall():
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = %s"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname"
        " AND c.connamespace = %s::regnamespace)",
        [SCHEMA, SCHEMA],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX {SCHEMA}."{name}"')
    # Indexes first, then unique constraints, then foreign keys (which need the unique keys).
    return [definition for _name, definition in indexes] + restore


def _load(cursor: Any, rows: int, chunk: int = 50_000) -> None:
    from django.utils import timezone

    now = timezone.now()
    pg = cursor.cursor  # the psycopg cursor under Django's wrapper, for COPY
    for start in range(1, rows + 1, chunk):
        batch = list(_rows(start, min(start + chunk, rows + 1)))
        with pg.copy(
            "COPY identity_reporter (id, created_at, updated_at, pseudonym, reveal_restricted)"
            " FROM STDIN"
        ) as copy:
            for row in batch:
                copy.write_row((row[0], now, now, f"B-{row[0]:08d}", False))
        with pg.copy(
            "COPY identity_reporterkey (reporter_id, kid, wrapped_key, created_at) FROM STDIN"
        ) as copy:
            for row in batch:
                copy.write_row((row[0], row[3], row[4], now))
        with pg.copy(
            "COPY identity_reporteridentity (reporter_id, enc_phone, created_at, updated_at)"
            " FROM STDIN"
        ) as copy:
            for row in batch:
                copy.write_row((row[0], row[5], now, now))
        with pg.copy(
            "COPY identity_blindindex (reporter_id, field, version, value) FROM STDIN"
        ) as copy:
            for row in batch:
                copy.write_row((row[0], "phone", 1, row[2]))
        with pg.copy("COPY plain_phone (reporter_id, phone) FROM STDIN") as copy:
            for row in batch:
                copy.write_row((row[0], row[1]))
        print(f"  loaded {min(start + chunk - 1, rows):>9,} reporters", file=sys.stderr, end="\r")
    print(file=sys.stderr)


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }


def _measure(cursor: Any, rows: int, lookups: int) -> dict[str, Any]:
    from apps.identity import vault

    rng = random.Random(20241128)  # a reproducible sample
    present = [_phone(rng.randint(1, rows)) for _ in range(lookups)]
    absent = [_phone(rows + rng.randint(1, 10**7)) for _ in range(lookups // 10)]
    sample = present + absent
    rng.shuffle(sample)
    blind: list[float] = []
    plain: list[float] = []
    found = 0
    for phone in sample[:50]:  # warm caches and the connection
        vault.find_reporter(field="phone", value=phone)
    for phone in sample:
        t0 = time.perf_counter()
        reporter = vault.find_reporter(field="phone", value=phone)
        t1 = time.perf_counter()
        cursor.execute(
            "SELECT r.id, r.pseudonym FROM identity_reporter r"
            " JOIN plain_phone p ON p.reporter_id = r.id"
            " WHERE p.phone = %s AND r.erased_at IS NULL",
            [phone],
        )
        plain_row = cursor.fetchone()
        t2 = time.perf_counter()
        blind.append(t1 - t0)
        plain.append(t2 - t1)
        found += reporter is not None
        if (reporter.pk if reporter else None) != (plain_row[0] if plain_row else None):
            raise AssertionError(f"blind index and plaintext disagree on {phone[-8:]}")
    cursor.execute(
        "SELECT avg(c), max(c) FROM (SELECT count(*) c FROM identity_blindindex GROUP BY value) s"
    )
    avg_bucket, max_bucket = cursor.fetchone()
    blind_stats, plain_stats = _percentiles(blind), _percentiles(plain)
    return {
        "rows": rows,
        "lookups": len(sample),
        "found": found,
        "bucket_avg": float(avg_bucket),
        "bucket_max": int(max_bucket),
        "blind_index": blind_stats,
        "plaintext": plain_stats,
        "ratio_p50": blind_stats["p50_ms"] / plain_stats["p50_ms"],
        "ratio_p99": blind_stats["p99_ms"] / plain_stats["p99_ms"],
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": blind_stats["p99_ms"] < TARGET_P99_MS,
    }


def run(*, rows: int = 1_000_000, lookups: int = 2000) -> dict[str, Any]:
    _setup_django()
    from django.db import connection, transaction

    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            _create_schema(cursor)
            restore = _set_aside_indexes(cursor)
            with transaction.atomic():
                _load(cursor, rows)
            for statement in restore:
                cursor.execute(statement)
            cursor.execute(
                "ANALYZE identity_reporter, identity_reporterkey, identity_reporteridentity,"
                " identity_blindindex, plain_phone"
            )
            loaded = time.perf_counter()
            result = _measure(cursor, rows, lookups)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            cursor.execute("SET search_path TO DEFAULT")
    result["load_seconds"] = loaded - started
    result["total_seconds"] = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=tickets(1_000_000, 100_000))
    parser.add_argument("--lookups", type=int, default=scaled(2000, 500))
    args = parser.parse_args(argv)
    result = run(rows=args.rows, lookups=args.lookups)
    blind, plain = result["blind_index"], result["plaintext"]
    print(
        f"identity_lookup: {result['rows']:,} reporters, {result['lookups']:,} sign-in lookups "
        f"({result['found']:,} existing), bucket size avg {result['bucket_avg']:.2f} "
        f"max {result['bucket_max']}"
    )
    print(f"  blind index + decrypt: p50 {blind['p50_ms']:.2f} ms  p99 {blind['p99_ms']:.2f} ms")
    print(f"  plaintext index:       p50 {plain['p50_ms']:.2f} ms  p99 {plain['p99_ms']:.2f} ms")
    print(
        f"  ratio blind/plain: p50 {result['ratio_p50']:.1f}x  p99 {result['ratio_p99']:.1f}x; "
        f"p99 {'<' if result['meets_target'] else '>='} {TARGET_P99_MS:.0f} ms (information)"
    )
    result["verdicts"] = [
        verdict("sign-in lookup p50 / plaintext p50", result["ratio_p50"], TARGET_RATIO_P50)
    ]
    print(f"  load {result['load_seconds']:.1f} s, total {result['total_seconds']:.1f} s")
    return result


if __name__ == "__main__":
    main()
