"""Real ``celery worker`` processes for the tests that need a process of their own.

Each worker shares the test's database and stores and consumes under a broker
key prefix of its own, so no other worker takes its tasks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection

ROOT = Path(__file__).resolve().parents[2]


def wait_until(condition: Callable[[], object], *, timeout: float, what: str, every: float = 0.05):  # type: ignore[no-untyped-def]
    """Poll ``condition``; a database that is restarting reads as "not yet"."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except DatabaseError:
            connection.close()
            value = None
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def database_url() -> str:
    s = connection.settings_dict
    host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
    return f"postgres://{s['USER'] or 'postgres'}@{host}:{port}/{s['NAME']}"


class Workers:
    """Starts ``celery worker`` processes that share the test's database and stores."""

    def __init__(self, prefix: str, log_dir: Path, **env: str) -> None:
        self.prefix, self.log_dir, self.extra = prefix, log_dir, env
        self.procs: list[subprocess.Popen[bytes]] = []

    def env(self, **more: str) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tca.settings.test",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "FOOTPRINT_TEST_RUN": self.prefix,
            "TICK_STORE_URL": str(settings.TICK_STORE_URL),
            "MODEL_STORE_URL": str(settings.MODEL_STORE_URL),
            "REPORT_STORE_URL": str(settings.REPORT_STORE_URL),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "FOOTPRINT_JOB_SWEEP_ON_START": "true",
            "FOOTPRINT_JOB_PENDING_SECONDS": "0",
            **self.extra,
            **more,
        }

    def start(self, **env: str) -> subprocess.Popen[bytes]:
        n = len(self.procs) + 1
        log = (self.log_dir / f"worker-{n}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tca", "worker", "-P", "solo",
             "-Q", "tca,training,reports,celery", "-n", f"{self.prefix}-{n}@%h",
             "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "info"],
            cwd=ROOT, env=self.env(**env), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.procs.append(proc)
        return proc

    @staticmethod
    def kill9(proc: subprocess.Popen[bytes]) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
