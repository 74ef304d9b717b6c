"""One runner per job, proven by a PostgreSQL session advisory lock.

A worker holds its job's lock for as long as it runs the job. PostgreSQL
releases it the moment the worker's connection goes away (a ``kill -9``, a
crashed host, a restarted server), so a running job whose lock is free has
been orphaned, and a second copy of a task (a broker redelivery, a re-queue)
that cannot take the lock knows another worker has the job. The embedded SQLite
mode runs tasks in-process, one at a time: there the lock is always granted.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

_NAMESPACE = 0x4A0B  # first key of the two-int form, so our locks never collide with others


def _key(job_id: uuid.UUID | str) -> int:
    return uuid.UUID(str(job_id)).int & 0x7FFFFFFF


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def job_run_lock(job_id: uuid.UUID | str) -> Iterator[bool]:
    """Hold the job's lock while the block runs; yields False if another session holds it."""
    if not _postgresql():
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_NAMESPACE, _key(job_id)])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held and connection.is_usable():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_NAMESPACE, _key(job_id)])


def job_runner_alive(job_id: uuid.UUID | str) -> bool:
    """Whether some session (a worker) holds the job's lock right now."""
    if not _postgresql():
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = %s AND objid = %s AND objsubid = 2)",
            [_NAMESPACE, _key(job_id)],
        )
        return bool(cursor.fetchone()[0])
