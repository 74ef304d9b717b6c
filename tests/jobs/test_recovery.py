"""The stranded-job sweep: which jobs it queues again, which it fails, which it leaves."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from tca.jobs.locks import _NAMESPACE, _key, job_run_lock, job_runner_alive
from tca.jobs.models import Job
from tca.jobs.recovery import jobs_recover

pytestmark = pytest.mark.django_db(transaction=True)  # locks are seen across connections


def _job(kind: str, status: str, **extra) -> Job:  # type: ignore[no-untyped-def]
    return Job.objects.create(
        kind=kind, status=status, task_name="tca.ingestion.ingest_job", **extra
    )


@pytest.fixture
def other_session():  # type: ignore[no-untyped-def]
    """A second database session, standing for a live worker."""
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"},
                         autocommit=True) as conn:  # fmt: skip
        yield conn


def test_a_pending_job_whose_message_was_lost_is_queued_again(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FOOTPRINT_JOB_PENDING_SECONDS = 60
    old = _job("ingest", "pending", queued_at=timezone.now() - dt.timedelta(seconds=61))
    fresh = _job("ingest", "pending")
    report = jobs_recover()
    assert report.requeued == [str(old.id)]
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, old.attempts) == ("pending", 2)
    assert "not picked up" in old.message
    assert fresh.attempts == 1


def test_a_running_job_is_left_alone_while_its_worker_holds_the_lock(other_session) -> None:  # type: ignore[no-untyped-def]
    job = _job("ingest", "running")
    other_session.execute("SELECT pg_advisory_lock(%s, %s)", [_NAMESPACE, _key(job.id)])
    assert job_runner_alive(job.id)
    with job_run_lock(job.id) as held:
        assert not held  # a second copy of the task would stand down
    assert jobs_recover().requeued == []
    other_session.execute("SELECT pg_advisory_unlock_all()")
    assert not job_runner_alive(job.id)
    assert jobs_recover().requeued == [str(job.id)]
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("pending", 2)
    assert "its worker was lost" in job.message


def test_a_fan_out_run_is_queued_again_only_after_going_quiet(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FOOTPRINT_JOB_STALE_SECONDS = 300
    now = timezone.now()
    quiet = _job("tca", "running", heartbeat_at=now - dt.timedelta(seconds=301))
    busy = _job("tca", "running", heartbeat_at=now - dt.timedelta(seconds=10))
    assert jobs_recover(now=now).requeued == [str(quiet.id)]
    busy.refresh_from_db()
    assert busy.status == "running"


def test_the_last_attempt_fails_the_job_with_a_message(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FOOTPRINT_JOB_MAX_ATTEMPTS = 2
    job = _job("ingest", "running", attempts=2)
    report = jobs_recover()
    assert report.failed == [str(job.id)]
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert job.result["error"].startswith("no worker completed this job after 2 attempt(s)")


def test_finished_jobs_and_jobs_without_a_task_are_never_touched() -> None:
    done = _job("ingest", "succeeded")
    legacy = Job.objects.create(kind="ingest", status="running")  # made before recovery existed
    assert jobs_recover().requeued == []
    assert Job.objects.get(id=done.id).status == "succeeded"
    assert Job.objects.get(id=legacy.id).status == "running"


@pytest.mark.django_db  # reads what the migration created (a transactional test flushes it)
def test_the_sweep_is_scheduled_every_minute() -> None:
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="recover stranded jobs")
    assert (task.task, task.interval.every, task.interval.period) == (
        "tca.jobs.recover", 1, "minutes"
    )
