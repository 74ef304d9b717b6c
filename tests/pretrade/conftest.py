"""A simulated book with history, TCA and trained models, loaded once for the module."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tests.models_app.conftest import LIGHT


@dataclass(frozen=True)
class Book:
    ticks: str
    models: str
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


@pytest.fixture(scope="package")
def book(django_db_setup, django_db_blocker, tmp_path_factory) -> Book:  # type: ignore[no-untyped-def]
    from django.test import override_settings

    from models_app.training import models_train_all
    from tca.accounts.services import roles_sync
    from tca.costs.services import tca_compute_chunk, tca_plan_chunks
    from tca.ingestion.services import ingest_file
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
        roles_sync()
        for kind, name in FILES:
            outcome = ingest_file(kind=kind, path=root / "files" / name, source="book")
            assert outcome.ok, outcome.errors[:3]
        for day, symbols in tca_plan_chunks(stale_only=True):
            tca_compute_chunk(trade_date=day, symbols=symbols)
        models_train_all(user=None, promote_if_none=True)
    days = sorted(data.orders["arrival_time"].dt.date().unique().to_list())
    yield Book(
        str(root / "ticks"), str(root / "models"),
        sorted(data.instruments["symbol"].to_list()), days[0], days[-1],
    )  # fmt: skip
    stores.disable()
    with django_db_blocker.unblock():
        from django.core.management import call_command

        call_command("flush", "--no-input", verbosity=0)


@pytest.fixture
def on_book(book, settings, db) -> Book:  # type: ignore[no-untyped-def]
    """Point this test's stores at the book (the suite isolates them per test otherwise)."""
    from tca.accounts.services import roles_sync

    settings.TICK_STORE_URL, settings.MODEL_STORE_URL = book.ticks, book.models
    settings.FOOTPRINT_MODELS = dict(LIGHT)
    roles_sync()
    return book
