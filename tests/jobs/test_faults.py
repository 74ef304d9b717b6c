"""Fault injection on the real services: a worker killed with SIGKILL, PostgreSQL
restarted during a COPY, Redis restarted with a job queued.

Each test runs real ``celery worker`` processes (the solo pool, so the task runs
in the process that is killed) against the test database and the real broker,
under a key prefix of their own so that no other worker takes their tasks. The
jobs are created as a lost submission would leave them (pending, queued long
ago, no message in the broker): the worker's start-up sweep queues them, which
is also the path a restarted worker takes after a failure.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from tca.costs.models import CostResult
from tca.ingestion.jobs import upload_path
from tca.jobs.models import IngestAudit, Job
from tca.orders.models import Fill, ParentOrder
from tests.factories import InstrumentFactory
from tests.jobs.workers import ROOT, Workers, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
PG_VERSIONS = Path("/etc/postgresql")


def _lost_submission(*, kind: str, task: str, args: list[str] | None = None,
                     params: dict, job_id: uuid.UUID | None = None) -> Job:  # type: ignore[type-arg]  # fmt: skip
    """A job whose task was never queued (``attempts=0``): the first worker's start-up
    sweep queues it as its first run."""
    job_id = job_id or uuid.uuid4()
    return Job.objects.create(
        id=job_id, kind=kind, params=params, task_name=task, task_args=args or [str(job_id)],
        queued_at=timezone.now() - dt.timedelta(hours=1), attempts=0,
    )


def _fills_upload(n_orders: int, fills_per_order: int) -> tuple[Job, int]:
    """Orders in the database and a fills file for them, staged as an ingest job."""
    instrument = InstrumentFactory(symbol="FLT")
    day = dt.date(2026, 3, 2)
    t0 = int(dt.datetime(2026, 3, 2, 15, tzinfo=dt.UTC).timestamp() * 1e9)
    ParentOrder.objects.bulk_create(
        ParentOrder(order_id=f"K{i:05d}", instrument=instrument, side=1,
                    quantity=Decimal(10 * fills_per_order), arrival_ns=t0 + i, trade_date=day)
        for i in range(n_orders)
    )  # fmt: skip
    n = n_orders * fills_per_order
    i = pl.col("i")
    frame = pl.DataFrame({"i": pl.int_range(n, eager=True)}).select(
        pl.format("X{}", i).alias("exec_id"),
        pl.format("K{}", (i // fills_per_order).cast(pl.String).str.zfill(5)).alias("order_id"),
        pl.lit("FLT").alias("symbol"),
        pl.lit("BUY").alias("side"),
        pl.lit(10).alias("quantity"),
        (100 + (i % 97) / 100).round(2).alias("price"),
        pl.lit("2026-03-02T15:00:01Z").alias("time"),
    )
    job_id = uuid.uuid4()
    path = upload_path(job_id=job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(path)
    job = _lost_submission(
        kind=Job.Kind.INGEST, task="tca.ingestion.ingest_job", job_id=job_id,
        params={"kind": "fills", "filename": "fills.csv", "source": "fault", "tz": None},
    )  # fmt: skip
    return job, n


def _job(job_id: object) -> Job:
    return Job.objects.get(id=job_id)


def _finished(job_id: object) -> Job | None:
    job = _job(job_id)
    return job if job.status in (Job.Status.SUCCEEDED, Job.Status.FAILED) else None


def _fills_exactly_once(n: int) -> None:
    assert Fill.objects.filter(source="fault").count() == n
    assert Fill.objects.filter(source="fault").values("exec_id").distinct().count() == n
    audits = IngestAudit.objects.filter(kind="fills", outcome="accepted")
    assert [a.rows_accepted for a in audits] == [n]  # one load, not two


def test_worker_killed_mid_ingest_loads_exactly_once_after_restart(workers: Workers) -> None:
    job, n = _fills_upload(n_orders=2000, fills_per_order=150)
    first = workers.start()
    # "writing ..." comes after validation: the COPY and index rebuild are under way.
    wait_until(lambda: _job(job.id).progress >= 0.5, timeout=120, what="the write phase")
    workers.kill9(first)
    from tca.jobs.locks import job_runner_alive

    wait_until(lambda: not job_runner_alive(job.id), timeout=30,
               what="PostgreSQL to end the session")  # fmt: skip
    assert _job(job.id).status == Job.Status.RUNNING  # nobody could tell the job it died
    assert Fill.objects.count() == 0  # its transaction was rolled back: nothing half-written
    assert upload_path(job_id=job.id).exists()

    workers.start()
    done = wait_until(lambda: _finished(job.id), timeout=180, what="the job to finish")
    assert done.status == Job.Status.SUCCEEDED, done.result
    assert done.attempts == 2 and done.result["accepted"] == n
    _fills_exactly_once(n)


def _simulated_market(tmp_path: Path) -> list[tuple[dt.date, list[str]]]:
    from tca.costs.services import tca_plan_chunks
    from tca.ingestion.services import ingest_file
    from tca.sim import SimConfig, simulate
    from tca.sim.files import write_dataset
    from tests.models_app.conftest import FILES

    directory = tmp_path / "sim"
    write_dataset(simulate(SimConfig.preset("small", n_days=8, seed=4)), directory)
    for kind, name in FILES:
        assert ingest_file(kind=kind, path=directory / name, source="sim").ok
    return tca_plan_chunks()


def test_worker_killed_mid_compute_leaves_no_half_results(workers: Workers, tmp_path: Path) -> None:
    from tca.costs.services import tca_compute_chunk

    chunks = _simulated_market(tmp_path)
    assert len(chunks) >= 6
    orders = ParentOrder.objects.count()
    job = _lost_submission(
        kind=Job.Kind.TCA, task="tca.costs.run",
        params={"date": None, "since": None, "symbol": None, "stale_only": False},
    )  # fmt: skip
    first = workers.start(FOOTPRINT_JOB_STALE_SECONDS="3")
    wait_until(lambda: 1 <= _job(job.id).params.get("done", 0) < len(chunks),
          timeout=120, what="the first chunks", every=0.01)  # fmt: skip
    workers.kill9(first)
    partial = CostResult.objects.count()
    assert 0 < partial < orders  # killed in the middle of the run
    time.sleep(3.5)  # the run goes quiet for longer than FOOTPRINT_JOB_STALE_SECONDS

    workers.start(FOOTPRINT_JOB_STALE_SECONDS="3")
    done = wait_until(lambda: _finished(job.id), timeout=180, what="the run to finish")
    assert done.status == Job.Status.SUCCEEDED, done.result
    assert done.attempts == 2
    assert CostResult.objects.count() == orders
    assert CostResult.objects.values("order_id").distinct().count() == orders
    # Every stored result equals a clean computation of the same chunk.
    stored = dict(CostResult.objects.values_list("order_id", "is_amount"))
    for day, symbols in chunks:
        tca_compute_chunk(trade_date=day, symbols=symbols)
    assert dict(CostResult.objects.values_list("order_id", "is_amount")) == stored


def _redis_restart() -> None:
    url = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    port = url.connection_pool.connection_kwargs.get("port", 6379)
    subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], check=False)
    ping = ["redis-cli", "-p", str(port), "ping"]
    wait_until(lambda: subprocess.run(ping, check=False, capture_output=True).returncode != 0,
          timeout=10, what="Redis to stop")  # fmt: skip
    Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
    Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", str(port),
         "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
         "--logfile", "/var/log/redis/ci.log"],
        check=True,
    )  # fmt: skip
    wait_until(url.ping, timeout=10, what="Redis to answer")


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs a local redis-server")
def test_redis_restart_with_a_job_queued_does_not_leave_it_pending(
    workers: Workers, prefix: str
) -> None:
    job, n = _fills_upload(n_orders=50, fills_per_order=4)
    Job.objects.filter(id=job.id).update(queued_at=timezone.now(), attempts=1)
    # Queue the task in the broker as the web process would, with no worker running.
    send = (
        "import django; django.setup(); from tca.celery import app; "
        f"app.send_task('tca.ingestion.ingest_job', args=['{job.id}'])"
    )
    subprocess.run([sys.executable, "-c", send], cwd=ROOT, env=workers.env(), check=True)
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = f"footprint-test-{prefix}:tca"
    assert client.llen(queue) == 1
    _redis_restart()
    assert client.llen(queue) == 0  # Redis kept nothing: the message is gone
    time.sleep(1.5)
    workers.start(FOOTPRINT_JOB_PENDING_SECONDS="1")
    done = wait_until(lambda: _finished(job.id), timeout=120, what="the job to finish")
    assert done.status == Job.Status.SUCCEEDED, done.result
    assert done.attempts == 2
    _fills_exactly_once(n)


def _pg_restart() -> None:
    version = sorted(p.name for p in PG_VERSIONS.iterdir())[0]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],
        check=True, capture_output=True,
    )  # fmt: skip


def _copy_in_progress() -> bool:
    import psycopg

    s = connection.settings_dict
    server = {"host": s["HOST"] or "127.0.0.1", "port": s["PORT"] or 5432}
    with psycopg.connect(**server, user=s["USER"] or "postgres", dbname="postgres",
                         autocommit=True) as c:  # fmt: skip
        row = c.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state = 'active'"
            " AND query ILIKE 'COPY \"orders_fill\"%%FROM STDIN%%'",
            [s["NAME"]],
        ).fetchone()
    return bool(row and row[0])


@pytest.mark.skipif(
    shutil.which("pg_ctlcluster") is None or not PG_VERSIONS.is_dir() or os.geteuid() != 0,
    reason="restarting PostgreSQL needs pg_ctlcluster and root",
)
def test_postgresql_restart_during_copy_is_all_or_nothing_and_retried(workers: Workers) -> None:
    job, n = _fills_upload(n_orders=2000, fills_per_order=300)
    workers.start()
    wait_until(_copy_in_progress, timeout=180, what="the COPY into orders_fill", every=0.02)
    _pg_restart()
    connection.close()  # this test's own session died with the restart
    wait_until(lambda: _job(job.id).attempts == 2, timeout=120, what="the retry")
    done = wait_until(lambda: _finished(job.id), timeout=240, what="the job to finish")
    assert done.status == Job.Status.SUCCEEDED, done.result
    _fills_exactly_once(n)
