"""Market state at arrival uses only quotes and prints strictly before the order."""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from models_app.impact.market_state import market_state

T = pl.Datetime("ns", "UTC")
OPEN = dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.UTC)  # 09:30 New York
ARRIVAL = OPEN + dt.timedelta(minutes=90)
INSTRUMENTS = pl.DataFrame(
    {"symbol": ["AAA"], "timezone": ["America/New_York"], "session_open": ["09:30"],
     "session_close": ["16:00"]}
)  # fmt: skip
ORDERS = pl.DataFrame(
    {"order_id": ["O1"], "symbol": ["AAA"], "trade_date": [dt.date(2026, 3, 2)],
     "arrival_time": [ARRIVAL], "adv20": [390_000.0]}
).with_columns(pl.col("arrival_time").cast(T))  # fmt: skip


def quotes(minutes: np.ndarray, mids: np.ndarray, size: float = 500.0) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "symbol": "AAA",
            "time": [OPEN + dt.timedelta(minutes=float(m)) for m in minutes],
            "bid": mids - 0.01,
            "ask": mids + 0.01,
            "bid_size": size,
            "ask_size": size,
        }
    ).with_columns(pl.col("time").cast(T))


def trades(minutes: list[float], sizes: list[float]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "symbol": "AAA",
            "time": [OPEN + dt.timedelta(minutes=m) for m in minutes],
            "price": 100.0,
            "size": sizes,
            "condition": [None] * len(minutes),
        },
        schema_overrides={"condition": pl.String},
    ).with_columns(pl.col("time").cast(T))


def test_state_before_arrival() -> None:
    minutes = np.arange(0, 200, 0.5)
    rng = np.random.default_rng(0)
    mids = 100 * np.exp(np.cumsum(rng.normal(0, 0.0005, minutes.size)))
    q = quotes(minutes, mids)
    t = trades([70.0, 80.0, 89.9, 90.0, 95.0], [1000, 2000, 500, 99_999, 99_999])
    state = market_state(ORDERS, q, t, INSTRUMENTS).row(0, named=True)
    assert state["minutes_since_open"] == pytest.approx(90.0)
    assert state["session_minutes"] == pytest.approx(390.0)
    # Volume in the 30 minutes before arrival (the print AT arrival is excluded),
    # against the ADV pace of 1,000 shares a minute.
    assert state["recent_volume"] == pytest.approx(3500 / 30_000)
    assert state["depth_adv"] == pytest.approx(1000 / 390_000)
    assert 0 < state["recent_vol"] < 0.05

    # Anything at or after arrival changes nothing.
    later = quotes(np.arange(90, 200, 0.5), np.full(220, 150.0), size=9e9)
    changed = pl.concat([q.filter(pl.col("time") < ARRIVAL), later])
    again = market_state(ORDERS, changed, t, INSTRUMENTS).row(0, named=True)
    assert again == state


def test_state_is_missing_just_after_the_open() -> None:
    early = ORDERS.with_columns(
        (pl.lit(OPEN) + pl.duration(minutes=2)).cast(T).alias("arrival_time")
    )
    q = quotes(np.arange(0, 10, 0.5), np.full(20, 100.0))
    state = market_state(early, q, trades([1.0], [10.0]), INSTRUMENTS).row(0, named=True)
    assert state["recent_vol"] is None and state["recent_volume"] is None
    assert state["depth_adv"] == pytest.approx(1000 / 390_000)
