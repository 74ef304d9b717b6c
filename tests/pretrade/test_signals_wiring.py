"""A configured signal reaches the stored order table and the pre-trade inputs, as of arrival."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

from models_app.impact.signals import signal_column, signals_asof
from models_app.loading import order_table
from tca.ingestion.services import ingest_file
from tca.sim.signals import INFORMATIVE
from tests.models_app.conftest import LIGHT
from tests.pretrade.conftest import Book

pytestmark = pytest.mark.django_db
COLUMN = signal_column(INFORMATIVE)


@pytest.fixture
def with_signals(on_book: Book, settings, tmp_path: Path) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    shutil.copytree(on_book.ticks, tmp_path / "ticks")
    settings.TICK_STORE_URL = str(tmp_path / "ticks")
    hp = {**LIGHT["hyperparameters"], "bayes_linear": {"signals": [INFORMATIVE]}}
    settings.FOOTPRINT_MODELS = {**LIGHT, "hyperparameters": hp}
    path = Path(on_book.files) / "signals.csv"
    assert ingest_file(kind="signals", path=path, source="book").ok
    return pl.read_csv(path, try_parse_dates=True).with_columns(
        pl.col("time").cast(pl.Datetime("ns", "UTC"))
    )


def test_the_order_table_carries_the_signal_as_of_each_arrival(
    with_signals: pl.DataFrame,
) -> None:
    table = order_table()
    expected = signals_asof(table, with_signals, [INFORMATIVE], max_age=dt.timedelta(days=1))
    got = table.select("order_id", COLUMN).join(expected, on="order_id", suffix="_file")
    assert got[COLUMN].null_count() < got.height * 0.05
    assert got[COLUMN].to_list() == got[f"{COLUMN}_file"].to_list()


def test_a_pretrade_estimate_shows_the_last_value_before_its_start(
    on_book: Book, with_signals: pl.DataFrame, trader, api_client_for
) -> None:  # type: ignore[no-untyped-def]
    symbol = on_book.symbols[0]
    start = dt.datetime.combine(on_book.last_day, dt.time(15, 0), tzinfo=dt.UTC)
    body = {"symbol": symbol, "side": "buy", "quantity": 20_000,
            "start_time": start.isoformat(), "horizon_minutes": 60}  # fmt: skip
    response = api_client_for(trader).post("/api/v1/pretrade/estimate/", body, format="json")
    assert response.status_code == 201, response.content
    shown = {i["name"]: i for i in response.json()["inputs"]}[COLUMN]
    before = with_signals.filter(
        (pl.col("symbol") == symbol) & (pl.col("name") == INFORMATIVE) & (pl.col("time") < start)
    ).sort("time")
    assert shown["value"] == pytest.approx(before["value"][-1])
    assert shown["source"] == "last value published before the start"
