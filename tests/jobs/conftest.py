"""Fixtures of the job tests: worker processes under a broker prefix of their own."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings

from tests.jobs.workers import Workers


@pytest.fixture
def prefix() -> Iterator[str]:
    """A broker key prefix for this test's workers alone; its keys are removed after."""
    run = f"fault-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    yield run
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for key in client.scan_iter(f"footprint-test-{run}:*"):
        client.delete(key)


@pytest.fixture
def workers(prefix: str, tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(prefix, tmp_path)
    yield pool
    pool.stop_all()
