"""A simulated book with history, TCA and trained models, loaded once for the module."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.models_app.conftest import LIGHT


@dataclass(frozen=True)
class Book:
    ticks: str
    models: str
    files: str
    symbols: list[str]
    first_day: dt.date
    last_day: dt.date


FILES = (
    ("instruments", "instruments.csv"),
    ("daily", "daily.csv"),
    ("orders", "orders.csv"),
    ("fills", "fills.csv"),
    ("quotes", "quotes.parquet"),
    ("trades", "trades.parquet"),
)


def _load(files: Path) -> None:
    """Ingest the files, compute TCA and train; skipped when the database holds them.

    A transactional test (the browser's) flushes the database when it ends; the
    next test that needs the book then loads it again from the same files.
    """
    from models_app.training import models_train_all
    from tca.accounts.services import roles_sync
    from tca.costs.services import tca_compute_chunk, tca_plan_chunks
    from tca.ingestion.services import ingest_file
    from tca.instruments.models import Instrument

    roles_sync()
    if Instrument.objects.exists():
        return
    for kind, name in FILES:
        outcome = ingest_file(kind=kind, path=files / name, source="book")
        assert outcome.ok, outcome.errors[:3]
    for day, symbols in tca_plan_chunks(stale_only=True):
        tca_compute_chunk(trade_date=day, symbols=symbols)
    models_train_all(user=None, promote_if_none=True)


@pytest.fixture(scope="package")
def book(django_db_setup, django_db_blocker, tmp_path_factory) -> Book:  # type: ignore[no-untyped-def]
    from django.test import override_settings

    from tca.sim import SimConfig, simulate
    from tca.sim.files import write_dataset

    root = tmp_path_factory.mktemp("pretrade-book")
    stores = override_settings(
        TICK_STORE_URL=str(root / "ticks"), MODEL_STORE_URL=str(root / "models"),
        FOOTPRINT_MODELS=dict(LIGHT),
    )  # fmt: skip
    stores.enable()
    config = SimConfig.preset("small", seed=11, n_days=10, orders_per_day=25.0)
    data = simulate(config)
    write_dataset(data, root / "files")
    with django_db_blocker.unblock():
        _load(root / "files")
    days = sorted(data.orders["arrival_time"].dt.date().unique().to_list())
    yield Book(
        str(root / "ticks"), str(root / "models"), str(root / "files"),
        sorted(data.instruments["symbol"].to_list()), days[0], days[-1],
    )  # fmt: skip
    stores.disable()
    with django_db_blocker.unblock():
        from django.core.management import call_command

        from tca.accounts.services import roles_sync

        call_command("flush", "--no-input", verbosity=0)
        roles_sync()  # the flush drops the groups a migration made; later tests expect them


@pytest.fixture
def on_book(book, settings, transactional_db_or_db) -> Book:  # type: ignore[no-untyped-def]
    """Point this test's stores at the book (the suite isolates them per test otherwise)."""
    settings.TICK_STORE_URL, settings.MODEL_STORE_URL = book.ticks, book.models
    settings.FOOTPRINT_MODELS = dict(LIGHT)
    _load(Path(book.files))
    return book


@pytest.fixture
def transactional_db_or_db(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
