"""Alternative-data signals with a known information content, for the feature tests.

Two series per instrument, published on the same clock:

- ``flow_news``: shortly (10 seconds to 2 minutes) before each of our orders that the
  market will drift against, a value that says which way: +1 × the drift's
  size (in units of the configured mean) for an up-move, plus noise. Every
  other publication (before the other orders, and hourly in every session) is
  noise alone. A model that reads it can tell informed-against orders apart.
- ``noise``: the same publication times with independent standard normal
  values: it carries nothing, and a model should gain nothing from it.

Values are in the file's convention: positive means the price should rise.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .simulate import Dataset

INFORMATIVE, NOISE = "flow_news", "noise"
NOISE_SD = 0.2
LEAD_S = (10.0, 120.0)
NS = 1_000_000_000


def simulate_signals(ds: Dataset, *, seed: int = 0) -> pl.DataFrame:
    """The signals file's rows (symbol, time, name, value) for ``ds``, sorted by symbol, time."""
    rng = np.random.default_rng(seed)
    orders = ds.orders.select("order_id", "symbol", "arrival_time").join(
        ds.truth.select("order_id", "side", "informed", "informed_alpha"), on="order_id"
    )
    n = orders.height
    lead = rng.uniform(*LEAD_S, n) * NS
    before = orders["arrival_time"].dt.epoch("ns").to_numpy() - lead.astype(np.int64)
    mean_alpha = max(ds.config.informed_alpha, 1e-12)
    direction = np.where(
        orders["informed"].to_numpy(),
        orders["side"].to_numpy() * orders["informed_alpha"].to_numpy() / mean_alpha,
        0.0,
    )
    sessions = ds.market_truth.select("symbol", "session_open", "session_close")
    hourly = sessions.with_columns(
        pl.datetime_ranges("session_open", "session_close", interval="1h").alias("time")
    ).explode("time")
    times = np.concatenate([before, hourly["time"].dt.epoch("ns").to_numpy()])
    symbols = pl.concat([orders["symbol"], hourly["symbol"]])
    m = times.size
    informative = np.concatenate([direction, np.zeros(hourly.height)]) + rng.normal(
        0.0, NOISE_SD, m
    )
    frame = pl.DataFrame(
        {
            "symbol": pl.concat([symbols, symbols]),
            "time": np.concatenate([times, times]),
            "name": [INFORMATIVE] * m + [NOISE] * m,
            "value": np.concatenate([informative, rng.standard_normal(m)]),
        }
    )
    return (
        frame.with_columns(pl.col("time").cast(pl.Datetime("ns", "UTC")))
        .unique(subset=["symbol", "time", "name"], keep="first", maintain_order=True)
        .sort("symbol", "time", "name")
    )
