"""The few statements that go below the ORM, on the hot paths (docs/benchmarks.md).

Django's cursors bind parameters on the client, so PostgreSQL parses and plans every
statement again; for the statements run on every report that planning, and the round trips
of one statement per row, cost more than the work itself. Two helpers:

* ``prepared_fetch``: run a statement as a server-side prepared statement (planned once per
  connection);
* ``insert_linked``: INSERT new rows, some pointing at others, in one such statement
  (``single_statement_atomic``: such a statement needs no transaction of its own).

Both fall back to Django's own cursor, unprepared, while queries are being logged or
counted (DEBUG, tests' ``django_assert_num_queries``), so that they are seen, and when
``DATABASE_PREPARED_STATEMENTS`` is off (behind a pooler in transaction mode).
"""

import contextlib
import functools
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, ForeignKey, Model

Params = Sequence[Any] | Mapping[str, Any]


def prepared_fetch(sql: str, params: Params) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` run as a server-side prepared statement on Django's connection.

    It joins the current transaction like any Django query, and database errors come out
    as Django's (``IntegrityError``, ...).
    """
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: no proxy lookup per attribute
    if db.queries_logged or not settings.DATABASE_PREPARED_STATEMENTS:
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall()) if cursor.description else []
    db.ensure_connection()
    with db.wrap_database_errors, psycopg.Cursor(db.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        # Not ``cursor.description``: that builds a Column object per column on every call
        # (~0.1 ms for routing's 40 columns, a third of a whole route()).
        result = cursor.pgresult
        if result is None or result.status != psycopg.pq.ExecStatus.TUPLES_OK:
            return []
        return list(cursor.fetchall())


@functools.cache
def _insert_plan(model: type[Model]) -> "tuple[tuple[Field[Any, Any], str, bool], ...]":
    """Per model, once: each inserted field (every concrete field but the auto primary key),
    its quoted column, and whether it has a placeholder of its own (geometries)."""
    quote = connection.ops.quote_name
    return tuple(
        (field, quote(field.column), hasattr(field, "get_placeholder"))
        for field in model._meta.concrete_fields
        if field is not model._meta.auto_field
    )


def _row(
    obj: Model, *, links: Mapping[str, str], db: BaseDatabaseWrapper
) -> tuple[list[str], list[str], list[Any]]:
    """Columns, placeholders and parameters of ``obj``'s INSERT, as Django's raw save builds
    them: every concrete field but the auto primary key, with the value set on the instance
    (``auto_now`` fields are not touched), prepared by the field. ``links`` maps a foreign
    key's attribute name to the alias of the row, earlier in the statement, it points at.
    """
    columns, placeholders, params = [], [], []
    for field, column, own_placeholder in _insert_plan(type(obj)):
        columns.append(column)
        if field.attname in links:
            placeholders.append(f"(SELECT id FROM {links[field.attname]})")
            continue
        value = field.get_db_prep_save(getattr(obj, field.attname), connection=db)
        if own_placeholder:  # geometries: ST_Transform when SRIDs differ
            placeholders.append(field.get_placeholder(value, None, db))  # type: ignore[attr-defined]
        else:
            placeholders.append("%s")
        params.append(value)
    return columns, placeholders, params


def _foreign_key(obj: Model, name: str) -> ForeignKey[Any, Any]:
    field = obj._meta.get_field(name)
    if not isinstance(field, ForeignKey):
        raise TypeError(f"{type(obj).__name__}.{name} is not a foreign key")
    return field


def insert_linked(rows: Sequence[tuple[Model, Mapping[str, Model]]]) -> None:
    """INSERT new rows, each possibly pointing at earlier ones, in one prepared statement,
    and set their primary keys and those foreign keys.

    Each row is ``(instance, {foreign key name: earlier instance in rows})``. What
    ``instance.save_base(raw=True, force_insert=True)`` for each row in turn would store
    (the values as set on the instances, ``auto_now`` fields untouched, no signals: only for
    models without receivers), in one round trip instead of one per row. The statement text
    depends only on the models and the links, so it is planned once per connection.
    """
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    aliases: dict[int, str] = {}
    parts, params = [], []
    for index, (obj, links) in enumerate(rows):
        if any(id(target) not in aliases for target in links.values()):
            raise ValueError("a row may only point at rows before it")
        to_alias = {
            _foreign_key(obj, name).attname: aliases[id(target)] for name, target in links.items()
        }
        aliases[id(obj)] = f"r{index}"
        columns, placeholders, values = _row(obj, links=to_alias, db=db)
        parts.append(
            f"{aliases[id(obj)]} AS (INSERT INTO {quote(obj._meta.db_table)} "
            f"({', '.join(columns)}) VALUES ({', '.join(placeholders)}) "
            f"RETURNING {quote(obj._meta.pk.column)} AS id)"
        )
        params.extend(values)
    names = list(aliases.values())
    sql = (
        f"WITH {', '.join(parts)} "
        f"SELECT {', '.join(f'{name}.id' for name in names)} FROM {', '.join(names)}"
    )
    (ids,) = prepared_fetch(sql, params)
    for (obj, _links), pk in zip(rows, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = db.alias
    for obj, links in rows:
        for name, target in links.items():
            setattr(obj, name, target)  # sets the id now known, keeps the related instance


def single_statement_atomic() -> AbstractContextManager[Any]:
    """The context for work that writes in ONE statement (``insert_linked``), reads aside.

    A statement is atomic by itself: outside a transaction it needs none of its own (BEGIN
    and COMMIT would be two more round trips on the hot path, and ``on_commit`` callbacks
    run as soon as the statement has committed). Inside a caller's transaction it gets a
    savepoint, so that a failed statement (a unique violation the caller answers, say)
    leaves the caller's transaction usable, as ``transaction.atomic()`` would.
    """
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return transaction.atomic()
    return contextlib.nullcontext()


class _DryRun(Exception):
    """Raised to roll back a dry run after its work is done."""


def run_or_roll_back(work: Callable[[], None], *, commit: bool) -> bool:
    """Run ``work`` in a transaction; keep it only with ``commit`` (a command's dry run
    otherwise: the counts it gathered show what a real run would do). Returns ``commit``."""
    try:
        with transaction.atomic():
            work()
            if not commit:
                raise _DryRun()
    except _DryRun:
        return False
    return True
