"""Jobs left behind by a lost broker message or a dead worker: queue again, or fail.

A job can be stranded three ways, and a periodic sweep (and every worker at
start-up) finds each:

- *pending* for longer than ``FOOTPRINT_JOB_PENDING_SECONDS``: its message was
  lost (Redis keeps nothing on disk, so a restart forgets queued tasks);
- *running* with no worker holding its lock (``tca.jobs.locks``): the worker
  died mid-job; its transaction was rolled back by PostgreSQL, so nothing of it
  was written;
- *running* a fan-out (a TCA run's chord) with no sign of life for longer than
  ``FOOTPRINT_JOB_STALE_SECONDS``: a chunk died and the chord will never fire.

Such a job is queued again with the task call it was created with, up to
``FOOTPRINT_JOB_MAX_ATTEMPTS`` runs in all; then it fails with a message saying
so. Queuing again is safe because every job task is idempotent and a second
copy cannot take a lock that a live runner holds.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from .locks import job_runner_alive
from .models import Job

log = logging.getLogger(__name__)

# Job kinds run by a single task holding the job's lock; the others fan out.
LOCKED_KINDS = frozenset({Job.Kind.INGEST, Job.Kind.TRAINING, Job.Kind.REPORT})
GAVE_UP = (
    "no worker completed this job after {n} attempt(s) (the broker lost its message or "
    "the worker died); nothing partial was kept. Submit it again."
)


@dataclass
class SweepReport:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _stranded(job: Job, *, now: dt.datetime) -> str | None:
    """Why ``job`` needs help, or None while it may still be making progress."""
    if job.status == Job.Status.PENDING:
        waited = (now - job.queued_at).total_seconds()
        if waited > settings.FOOTPRINT_JOB_PENDING_SECONDS:
            return f"not picked up within {waited:.0f} s"
        return None
    if job.kind in LOCKED_KINDS:
        return None if job_runner_alive(job.id) else "its worker was lost"
    quiet = (now - (job.heartbeat_at or job.started_at or job.created_at)).total_seconds()
    if quiet > settings.FOOTPRINT_JOB_STALE_SECONDS:
        return f"no progress for {quiet:.0f} s"
    return None


def connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` says the database connection went away (not a bad statement).

    Raw psycopg errors count too: the COPY paths use psycopg's cursor directly.
    """
    import psycopg

    lost = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)
    return isinstance(exc, lost) or (
        isinstance(exc, DatabaseError) and not connection.is_usable()
    )


def wait_for_database(*, timeout: float = 60.0) -> None:
    """Drop a broken connection and wait until the database answers again."""
    connection.close()
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection.ensure_connection()
            return
        except DatabaseError:
            if time.monotonic() > deadline:
                raise
            connection.close()
            time.sleep(0.5)


def job_requeue(*, job_id: str, status: str, attempts: int, reason: str,
                now: dt.datetime | None = None) -> str | None:  # fmt: skip
    """Queue the job's task again, or fail the job after its last attempt.

    Only acts if the job is still in ``status`` after ``attempts`` runs (so two
    sweeps, or a sweep and a late worker, never both act); "requeued", "failed",
    or None when the job moved on meanwhile.
    """
    from tca.celery import app

    now = now or timezone.now()
    with transaction.atomic():
        locked = Job.objects.select_for_update(skip_locked=True).filter(
            id=job_id, status=status, attempts=attempts
        )
        current = locked.first()
        if current is None or not current.task_name:
            return None
        if current.attempts >= settings.FOOTPRINT_JOB_MAX_ATTEMPTS:
            error = GAVE_UP.format(n=current.attempts)
            locked.update(
                status=Job.Status.FAILED, finished_at=now, message=error[:255],
                result={**(current.result or {}), "error": error, "recovery": reason},
            )  # fmt: skip
            log.warning("job %s failed after %s attempts: %s", job_id, current.attempts, reason)
            return "failed"
        locked.update(
            status=Job.Status.PENDING, attempts=current.attempts + 1, queued_at=now,
            heartbeat_at=None,
            message=f"queued again: {reason} (attempt {current.attempts + 1})"[:255],
        )  # fmt: skip
        name, args = current.task_name, list(current.task_args)
        transaction.on_commit(lambda: app.send_task(name, args=args))
    log.warning("job %s queued again: %s", job_id, reason)
    return "requeued"


def jobs_recover(*, now: dt.datetime | None = None) -> SweepReport:
    """Queue stranded jobs again (or fail them after the last attempt)."""
    now = now or timezone.now()
    report = SweepReport()
    candidates = Job.objects.filter(status__in=[Job.Status.PENDING, Job.Status.RUNNING])
    for job in candidates.exclude(task_name=""):
        reason = _stranded(job, now=now)
        if reason is None:
            continue
        done = job_requeue(
            job_id=str(job.id), status=job.status, attempts=job.attempts, reason=reason, now=now
        )
        if done == "requeued":
            report.requeued.append(str(job.id))
        elif done == "failed":
            report.failed.append(str(job.id))
    return report
