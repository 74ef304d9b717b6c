"""Set up Django against a scratch PostgreSQL database for a benchmark run."""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def setup(database: str = "footprint_bench", *, migrate: bool = True) -> None:
    """Point Django at ``database`` (created if missing), migrate it, and start Django.

    ``migrate=False`` is for worker processes of a run whose parent migrated.
    """
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tca.settings.test")
    os.environ.setdefault("TICK_STORE_URL", str(OUT / "ticks"))
    os.environ.setdefault("MODEL_STORE_URL", str(OUT / "models"))
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    import django
    from django.core.management import call_command

    django.setup()
    if migrate:
        call_command("migrate", verbosity=0)


def _worker_setup(database: str) -> None:
    setup(database, migrate=False)
    import tca.costs.services  # noqa: F401  (what a worker has loaded before its first task)


def _ready(_: int) -> int:
    time.sleep(0.5)  # long enough that every worker process takes one
    return os.getpid()


@contextmanager
def worker_pool(workers: int, database: str = "footprint_bench") -> Iterator[ProcessPoolExecutor]:
    """``workers`` fresh processes set up like Celery workers, all up before it yields.

    Spawned, not forked: each opens its own database connections, and a run's
    clock never includes process start-up or Django's import.
    """
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=spawn, initializer=_worker_setup, initargs=(database,)
    ) as pool:
        assert len(set(pool.map(_ready, range(2 * workers)))) == workers
        yield pool


def dataset(preset: str = "large", seed: int = 11) -> Path:
    """The simulator's files for ``preset``, generated once and cached under bench/out."""
    from tca.sim import SimConfig, simulate, write_dataset

    folder = OUT / f"{preset}-{seed}"
    if not (folder / "fills.csv").is_file():
        write_dataset(simulate(SimConfig.preset(preset, seed=seed)), folder)
    return folder
