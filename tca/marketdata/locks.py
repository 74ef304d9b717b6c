"""The tick store's writers' lock across hosts: a PostgreSQL advisory lock.

On object storage ``fcntl`` cannot serialise writers on different machines, so
the store takes this lock (keyed by the store URL and the kind) around each
read-modify-write of a manifest. Every worker already shares the database. It
is a transaction-level lock: held until the transaction that contains the
manifest switch commits or rolls back, released by PostgreSQL when a dead
worker's session ends, and never left behind by an aborted transaction. The
store's conditional manifest PUT stays as the guard behind it. The embedded
SQLite mode runs one process: there the lock is a no-op.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

_NAMESPACE = 0x5453  # first key of the two-int form ("TS"); job locks use another


@contextmanager
def store_write_lock(name: str) -> Iterator[None]:
    """Hold the writers' lock of ``name`` (a store URL and a kind) while the block runs."""
    if connection.vendor != "postgresql":
        yield
        return
    key = zlib.crc32(name.encode()) & 0x7FFFFFFF
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_NAMESPACE, key])
        yield
