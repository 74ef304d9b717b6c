"""Fixtures of the model tests: light training settings and simulated data in the database."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

LIGHT = {
    "kinds": ("sqrt", "almgren", "bayes_linear", "xgboost"),
    "hyperparameters": {
        "xgboost": {"n_estimators": 60},
        "random_forest": {"n_estimators": 30},
        "mlp": {"max_iter": 200},
    },
    "holdout_days": 2,
    "min_train_days": 3,
    "walk_forward_days": 2,
}
FILES = (
    ("instruments", "instruments.csv"),
    ("orders", "orders.csv"),
    ("fills", "fills.csv"),
    ("quotes", "quotes.parquet"),
    ("trades", "trades.parquet"),
)


@pytest.fixture(autouse=True)
def _roles(request: pytest.FixtureRequest) -> None:
    """Role groups come from a data migration; a transactional test's flush drops them."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db" if not _transactional(request) else "transactional_db")
    from tca.accounts.services import roles_sync

    roles_sync()


def _transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))


@pytest.fixture
def light_models(settings):  # type: ignore[no-untyped-def]
    settings.FOOTPRINT_MODELS = dict(LIGHT)
    return settings.FOOTPRINT_MODELS


@pytest.fixture
def second_quant(db):  # type: ignore[no-untyped-def]
    from tests.factories import UserFactory

    return UserFactory(username="t_quant2", role="quant")


def load_simulation(directory: Path, config, source: str) -> list[dt.date]:  # type: ignore[no-untyped-def]
    """Simulate, ingest the files like a user would, compute TCA; the trade dates loaded."""
    from tca.costs.services import tca_compute_chunk, tca_plan_chunks
    from tca.ingestion.services import ingest_file
    from tca.sim import simulate
    from tca.sim.files import write_dataset

    write_dataset(simulate(config), directory)
    for kind, name in FILES:
        outcome = ingest_file(kind=kind, path=directory / name, source=source)
        assert outcome.ok, outcome.errors[:3]
    chunks = tca_plan_chunks(stale_only=True)
    for day, symbols in chunks:
        tca_compute_chunk(trade_date=day, symbols=symbols)
    return sorted({day for day, _ in chunks})


def wait_for_job(job_id: str, timeout: float = 120.0):  # type: ignore[no-untyped-def]
    from tca.jobs.models import Job

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(id=job_id)
        if job.status in (Job.Status.SUCCEEDED, Job.Status.FAILED):
            return job
        time.sleep(0.25)
    raise AssertionError(f"job {job_id} did not finish")
