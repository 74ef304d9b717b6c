"""The session cache gives what a fresh read of the whole day gives, and forgets on ingest."""

from __future__ import annotations

import datetime as dt
import shutil

import polars as pl
import pytest

from models_app.impact.market_state import STATE_COLUMNS, market_state
from tca.instruments.services import instrument_frame
from tca.marketdata.store import tick_store
from tca.pretrade.conf import pretrade_conf
from tca.pretrade.session_data import session_data
from tests.pretrade.conftest import Book

pytestmark = pytest.mark.django_db


def _fresh_state(symbol: str, start: dt.datetime, adv20: float) -> dict[str, float | None]:
    store = tick_store()
    day = start.date()
    order = pl.DataFrame(
        {"order_id": ["x"], "symbol": [symbol], "trade_date": [day], "arrival_time": [start],
         "adv20": [adv20]},
    ).with_columns(pl.col("arrival_time").cast(pl.Datetime("ns", "UTC")))  # fmt: skip
    quotes = store.read("quotes", symbols=[symbol], dates=[day]).filter(pl.col("time") < start)
    trades = store.read("trades", symbols=[symbol], dates=[day]).filter(pl.col("time") < start)
    row = market_state(order, quotes, trades, instrument_frame(symbols=[symbol])).row(0, named=True)
    return {name: row[name] for name in STATE_COLUMNS}


def _fresh_quote(symbol: str, start: dt.datetime) -> dict[str, object] | None:
    quotes = tick_store().read("quotes", symbols=[symbol], dates=[start.date()])
    valid = quotes.filter(
        (pl.col("time") < start) & (pl.col("bid") > 0) & (pl.col("ask") >= pl.col("bid"))
    )
    return valid.sort("time").row(-1, named=True) if valid.height else None


@pytest.mark.parametrize("clock", ["14:31:10", "14:40:00", "14:59:59", "16:12:30", "20:59:00"])
def test_the_cut_day_gives_the_whole_days_state_and_quote(on_book: Book, clock: str) -> None:
    symbol = on_book.symbols[1]
    start = dt.datetime.combine(on_book.last_day, dt.time.fromisoformat(clock), tzinfo=dt.UTC)
    data = session_data(symbol=symbol, day=start.date(), conf=pretrade_conf())
    assert data is not None
    assert data.adv20
    state = data.state(start)
    assert state == pytest.approx(_fresh_state(symbol, start, data.adv20), nan_ok=True)
    if clock == "16:12:30":  # mid-session: every state input is measurable
        assert None not in state.values()
    found = data.last_quote(start)
    expected = _fresh_quote(symbol, start)
    if expected is None:
        assert found is None or found[1] < start.date()
    else:
        assert found is not None
        assert found[0] == expected
        assert found[1] == start.date()


def test_a_session_is_read_once_and_again_after_an_ingest(  # type: ignore[no-untyped-def]
    on_book: Book, settings, tmp_path
) -> None:
    shutil.copytree(on_book.ticks, tmp_path / "ticks")
    settings.TICK_STORE_URL = str(tmp_path / "ticks")
    symbol, conf = on_book.symbols[0], pretrade_conf()
    start = dt.datetime.combine(on_book.last_day, dt.time(15, 0), tzinfo=dt.UTC)
    first = session_data(symbol=symbol, day=start.date(), conf=conf)
    assert session_data(symbol=symbol, day=start.date(), conf=conf) is first

    quote = pl.DataFrame(
        {"symbol": [symbol], "time": [start - dt.timedelta(milliseconds=1)],
         "bid": [12.34], "ask": [12.36], "bid_size": [100.0], "ask_size": [100.0]},
    ).with_columns(pl.col("time").cast(pl.Datetime("ns", "UTC")))  # fmt: skip
    tick_store().write("quotes", quote)
    again = session_data(symbol=symbol, day=start.date(), conf=conf)
    assert again is not first
    assert again is not None
    found = again.last_quote(start)
    assert found is not None
    assert (found[0]["bid"], found[0]["ask"]) == (12.34, 12.36)
