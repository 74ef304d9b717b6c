"""A warm-up daily history before the simulated days, written as ``daily.csv``.

Without it the first 20 simulated days have no ADV20 or sigma20 (a real user
would load their own history with the ``daily`` kind). The bars are drawn from
each instrument's own truth, so the features computed from them estimate the
simulator's parameters: daily log returns N(0, daily_vol), volume log-normal
around ADV, and the last close meets the first simulated day's open.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

WARMUP_DAYS = 60
VOLUME_DISPERSION = 0.3  # log-normal sigma of a day's volume around ADV
RANGE_SCALE = 0.5  # mean excursion of high/low beyond open/close, in daily sigmas


def warmup_dates(start: dt.date, n: int = WARMUP_DAYS) -> list[dt.date]:
    """The ``n`` weekdays before ``start``, oldest first."""
    first = np.busday_offset(np.datetime64(start, "D"), -n, roll="forward")
    days = np.arange(first, np.datetime64(start, "D"), dtype="datetime64[D]")
    days = days[np.is_busday(days)]
    return [d.item() for d in days]


def warmup_history(
    market_truth: pl.DataFrame, *, seed: int, n_days: int = WARMUP_DAYS
) -> pl.DataFrame:
    """symbol, date, open, high, low, close, volume: ``n_days`` bars per instrument."""
    first = (
        market_truth.sort("date")
        .group_by("symbol", maintain_order=True)
        .first()
        .select("symbol", "date", "open_price", "adv", "daily_vol")
        .sort("symbol")
    )
    start = min(first["date"].to_list())
    dates = warmup_dates(start, n_days)
    n_sym, n = first.height, len(dates)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 20]))
    vol = first["daily_vol"].to_numpy()[:, None]
    returns = rng.standard_normal((n_sym, n)) * vol
    # Close of day k is the first open discounted by the returns after it.
    after = np.cumsum(returns[:, ::-1], axis=1)[:, ::-1]
    close = first["open_price"].to_numpy()[:, None] * np.exp(-after)
    prev = np.concatenate([close[:, :1] * np.exp(-returns[:, :1]), close[:, :-1]], axis=1)
    open_ = prev * np.exp(0.2 * vol * rng.standard_normal((n_sym, n)))
    top = np.maximum(open_, close) * np.exp(
        RANGE_SCALE * vol * np.abs(rng.standard_normal((n_sym, n)))
    )
    bottom = np.minimum(open_, close) * np.exp(
        -RANGE_SCALE * vol * np.abs(rng.standard_normal((n_sym, n)))
    )
    s = VOLUME_DISPERSION
    volume = first["adv"].to_numpy()[:, None] * np.exp(rng.normal(-s * s / 2, s, (n_sym, n)))
    o, c = np.round(open_, 4), np.round(close, 4)
    return pl.DataFrame(
        {
            "symbol": np.repeat(first["symbol"].to_numpy(), n),
            "date": pl.Series(dates * n_sym, dtype=pl.Date),
            "open": o.ravel(),
            "high": np.maximum(np.round(top, 4), np.maximum(o, c)).ravel(),
            "low": np.minimum(np.round(bottom, 4), np.minimum(o, c)).ravel(),
            "close": c.ravel(),
            "volume": np.round(volume).ravel(),
        }
    )
