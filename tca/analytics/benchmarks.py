"""Benchmark prices of an order and the slippage of its average price against them.

- arrival: P_a.
- vwap: Σ size·price / Σ size of market prints in [t_a, t_e] (both ends included).
- twap: mean of the mid over [t_a, t_e], each quote weighted by the time it was
  live inside the window (the mid in force at t_a starts the window).
- open / close: first and last print of the trade date's session (daily bars).
- previous_close: close of the last bar strictly before the trade date.
- pwp: VWAP of the prints from t_a until X / rate has traded (the price of
  trading alongside the market at that participation rate); missing when the
  prints up to the session close (or the end of the tape) do not reach it.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import polars.selectors as cs

from .asof import QuoteIndex
from .config import BENCHMARK_NAMES
from .keys import epoch_ns
from .tape import TradeTape

_NO_LIMIT = np.iinfo(np.int64).max


def market_benchmarks(
    orders: pl.DataFrame,
    *,
    quotes: QuoteIndex,
    tape: TradeTape,
    pos_arrival: np.ndarray,
    pos_end: np.ndarray,
    pwp_rate: float,
) -> pl.DataFrame:
    """vwap_price, twap_price, pwp_price and the window's volume and print count.

    ``orders`` needs symbol, arrival_time, _end_time, executed_qty and
    _trade_date_close; ``pos_*`` are the quote positions in force at t_a and t_e,
    with -1 at t_a when P_a is missing.
    """
    t_a, ok_a = epoch_ns(orders["arrival_time"])
    t_e, ok_e = epoch_ns(orders["_end_time"])
    limit, has_limit = epoch_ns(orders["_trade_date_close"])
    limit = np.where(has_limit, limit, _NO_LIMIT)
    codes = tape.encode(orders["symbol"])
    window = tape.window(codes, t_a, t_e, ok_a & ok_e)
    with np.errstate(invalid="ignore", divide="ignore"):
        vwap = np.where(window.volume > 0, window.notional / window.volume, np.nan)
    x = orders["executed_qty"].to_numpy()
    pwp = tape.participation_price(codes, t_a, x / pwp_rate, limit, ok_a)
    twap = quotes.twap(
        np.where(ok_a & ok_e, pos_arrival, -1), np.where(ok_e, pos_end, -1), t_a, t_e
    )
    return pl.DataFrame(
        {
            "vwap_price": vwap,
            "twap_price": twap,
            "pwp_price": pwp,
            "_window_volume": np.where(ok_a & ok_e & (t_e >= t_a), window.volume, np.nan),
            "_window_prints": window.count,
        }
    ).with_columns(cs.float().fill_nan(None))


def slippage_columns() -> list[pl.Expr]:
    """``<bm>_slippage_bps`` = s·(avg_px − B)/B·1e4 for each benchmark price B."""
    out = []
    for name in BENCHMARK_NAMES:
        b = pl.col(f"{name}_price")
        b = pl.when(b != 0).then(b)
        out.append(
            (pl.col("_s") * (pl.col("avg_price") - b) / b * 1e4).alias(f"{name}_slippage_bps")
        )
    return out
