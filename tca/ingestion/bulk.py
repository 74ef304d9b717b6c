"""Bulk loading into SQL tables: COPY on PostgreSQL, batched INSERT elsewhere.

PostgreSQL: rows are COPY'd into a temporary staging table, then moved with
one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``, so a file's rows go in
with one statement and duplicates are skipped by the unique constraint, not
by Python. Other databases (the embedded SQLite default) get the same
semantics with ``executemany``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

import polars as pl
from django.db import DatabaseError, OperationalError, connection, transaction

# Rows per CSV block sent to COPY: the next block is written while this one is sent.
COPY_BLOCK_ROWS = 200_000
# Index rebuilds: how long to wait for the table's lock, and the sort memory.
REBUILD_LOCK_TIMEOUT = "5s"
REBUILD_WORK_MEM = "256MB"


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def stage_frame(*, name: str, frame: pl.DataFrame, sql_types: dict[str, str]) -> None:
    """Create a temporary table ``name`` and load ``frame`` into it.

    ``sql_types`` maps each column of ``frame`` to its SQL type; the table is
    dropped at commit (PostgreSQL) or explicitly by :func:`drop_stage`.
    """
    columns = list(sql_types)
    ddl = ", ".join(f'"{c}" {t}' for c, t in sql_types.items())
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(f'CREATE TEMP TABLE "{name}" ({ddl}) ON COMMIT DROP')
            buffer = io.BytesIO()
            frame.select(columns).write_csv(buffer, include_header=False, null_value="\\N")
            copy_sql = (
                f'COPY "{name}" ({", ".join(f'"{c}"' for c in columns)}) '
                "FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            )
            with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
                copy.write(buffer.getvalue())  # bytes, not a view: see _csv_block
        else:
            cursor.execute(f'CREATE TEMP TABLE "{name}" ({ddl})')
            placeholders = ", ".join(["%s"] * len(columns))
            rows = frame.select(
                [
                    pl.col(c).cast(pl.String) if frame.schema[c] == pl.Decimal else pl.col(c)
                    for c in columns
                ]
            ).rows()
            cursor.executemany(
                f'INSERT INTO "{name}" VALUES ({placeholders})',  # noqa: S608
                rows,
            )


def _csv_block(frame: pl.DataFrame) -> bytes:
    """CSV bytes of ``frame``.

    Bytes, not a memoryview of the buffer: a failed COPY keeps the block in its
    traceback, and a view outliving its BytesIO crashes the interpreter when
    the cycle is collected.
    """
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False, null_value="\\N")
    return buffer.getvalue()


def _csv_blocks(frame: pl.DataFrame) -> Iterator[bytes]:
    """``frame`` as CSV blocks, the next one written (GIL released) while one is sent."""
    slices = [frame.slice(i, COPY_BLOCK_ROWS) for i in range(0, frame.height, COPY_BLOCK_ROWS)]
    if not slices:
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future[bytes] = pool.submit(_csv_block, slices[0])
        for following in slices[1:]:
            block = pending.result()
            pending = pool.submit(_csv_block, following)
            yield block
        yield pending.result()


def copy_rows(*, table: str, frame: pl.DataFrame) -> int:
    """Append ``frame``'s rows to ``table`` (columns named as in the table).

    Columns left out take the table's defaults.
    """
    columns = frame.columns
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        if is_postgresql():
            sql = f'COPY "{table}" ({names}) FROM STDIN WITH (FORMAT csv, NULL \'\\N\')'
            # The raw driver cursor: translate its errors (IntegrityError...) as Django does.
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                for block in _csv_blocks(frame):
                    copy.write(block)
        else:
            rows = frame.select(
                pl.col(c).cast(pl.String) if frame.schema[c] == pl.Decimal else pl.col(c)
                for c in columns
            ).rows()
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)  # noqa: S608
    return frame.height


def serialize_writers(table: str) -> None:
    """Queue this transaction behind any other that called this for ``table``.

    Two loads that each read a table and then drop its indexes would each wait
    for the other's read lock (a deadlock); writers that take this
    transaction-scoped advisory lock first simply run one after the other.
    Readers are not affected.
    """
    if is_postgresql():
        execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"footprint:write:{table}"])


def _index_definitions(table: str) -> list[tuple[str, str, str]]:
    """(name, drop statement, create statement) of the full indexes of ``table``.

    Partial indexes stay: rows outside their predicate cost nothing to insert,
    while rebuilding one costs a scan of the whole table.
    """
    rows = fetch(
        """
        SELECT i.relname, c.conname, pg_get_constraintdef(c.oid), pg_get_indexdef(i.oid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
        WHERE x.indrelid = %s::regclass AND x.indpred IS NULL
        """,
        [table],
    )
    definitions = []
    for index, constraint, constraint_def, index_def in rows:
        if constraint:
            definitions.append((
                str(index),
                f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"',
                f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" {constraint_def}',
            ))
        else:
            definitions.append((str(index), f'DROP INDEX "{index}"', str(index_def)))
    return definitions


def _referenced(table: str) -> bool:
    return bool(fetch("SELECT 1 FROM pg_constraint WHERE confrelid = %s::regclass", [table]))


@contextmanager
def indexes_rebuilt_after(*, table: str, incoming: int) -> Iterator[bool]:
    """For a load at least as large as ``table``: drop its indexes, rebuild them after.

    PostgreSQL builds an index from sorted rows several times faster than it
    maintains one row by row, so a load that is most of the table (a first
    load, a backfill) goes in without indexes and they are rebuilt, unique
    constraints included, once at the end. Must run inside a transaction: DDL
    is transactional, so a failure restores the indexes with the rollback. The
    price is an exclusive lock on the table until commit, which is why smaller
    loads into a larger table keep the indexes, and why a load that cannot get
    the lock within ``REBUILD_LOCK_TIMEOUT`` (a long reader) keeps them too.
    Yields whether it rebuilt.
    """
    if not is_postgresql() or incoming <= 0 or _referenced(table):
        yield False
        return
    stored = fetch(
        f'SELECT count(*) FROM (SELECT 1 FROM "{table}" LIMIT %s) AS s',  # noqa: S608
        [incoming + 1],
    )[0][0]
    if int(stored) > incoming:  # type: ignore[call-overload]
        yield False
        return
    definitions = _index_definitions(table)
    # Readers must not queue behind a drop that waits for a long reader: if the
    # table cannot be locked soon, load it with its indexes instead.
    savepoint = transaction.savepoint()
    try:
        previous = fetch("SELECT current_setting('lock_timeout')")[0][0]
        execute("SELECT set_config('lock_timeout', %s, true)", [REBUILD_LOCK_TIMEOUT])
        execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
        execute("SELECT set_config('lock_timeout', %s, true)", [previous])
    except OperationalError:
        transaction.savepoint_rollback(savepoint)
        yield False
        return
    transaction.savepoint_commit(savepoint)
    # Sorting for the rebuild wants memory; never lower what the server allows.
    execute(
        "SELECT set_config('maintenance_work_mem', %s, true)"
        " WHERE pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes(%s)",
        [REBUILD_WORK_MEM, REBUILD_WORK_MEM],
    )
    for _, drop, _ in definitions:
        execute(drop)
    yield True
    for _, _, create in definitions:
        execute(create)


def drop_stage(name: str) -> None:
    """Drop a staging table now (a transaction may stage the same name twice).

    After a failed statement the transaction is aborted and will be rolled back,
    which removes the table anyway; the original error must not be masked.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE IF EXISTS "{name}"')
    except DatabaseError:
        if not connection.needs_rollback and connection.is_usable():
            raise


def execute(sql: str, params: Sequence[object] = ()) -> int:
    """Run one statement; the number of rows it touched."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fetch(sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def read_frame(sql: str, params: Sequence[object], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Run a query into a polars frame; COPY ... TO STDOUT on PostgreSQL (fast)."""
    with connection.cursor() as cursor:
        if is_postgresql():
            query = cursor.cursor.mogrify(sql, params) if params else sql
            buffer = io.BytesIO()
            with cursor.cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
            if buffer.tell() == 0:
                return pl.DataFrame(schema=schema)
            buffer.seek(0)
            # COPY writes booleans as t/f: read them as text, then convert.
            text_schema = {
                k: pl.String() if v == pl.Boolean else v for k, v in schema.items()
            }
            frame = pl.read_csv(buffer, has_header=False, schema=text_schema)
            return frame.with_columns(
                (pl.col(k) == "t").alias(k) for k, v in schema.items() if v == pl.Boolean
            )
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row", strict=False)
