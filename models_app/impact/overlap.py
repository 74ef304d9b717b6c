"""Our own orders that traded the same name at the same time, and what that does to fits.

An order's persistent move ``P_post − P_a`` also holds the impact of our other
orders in the same instrument that were live inside its window (their
temporary impact at either end, their permanent impact in between). That is
noise added to the market's own, and it does not shrink when the market is
quiet, so the baselines model each order's residual variance as
``s²/w² + τ_c²``: the market's part (``w`` the usual 1/(σ·√(T + H)) weight)
plus an extra variance per overlap class (alone, one other order, more),
estimated from a first fit. That is feasible generalised least squares.
"""

from __future__ import annotations

import numpy as np
import polars as pl

MAX_CLASS = 2  # 0, 1, 2 or more overlapping orders
MIN_CLASS_ROWS = 30
_TINY = 1e-24
_SPAN_US = 2**40  # µs, about 12.7 days: wider than any (symbol, date) group's windows


def own_overlaps(table: pl.DataFrame, *, post_horizon_s: float) -> np.ndarray:
    """For each row: how many other rows of the same symbol and date were live in its window.

    An order's window is [arrival, end + post horizon]; another order overlaps
    when its window intersects it. Counted with two binary searches per row on
    (group, time) keys: orders that started before the window's end, minus
    those that had ended by its start.
    """
    if table.height == 0:
        return np.zeros(0, dtype=np.int64)
    groups = table.select("symbol", "trade_date").unique(maintain_order=True).with_row_index("g")
    start = pl.col("arrival_time").dt.epoch("us")
    span = (pl.col("duration_s").fill_null(0.0).clip(lower_bound=0.0) + post_horizon_s) * 1e6
    frame = table.join(groups, on=["symbol", "trade_date"], how="left", maintain_order="left")
    frame = frame.select(
        pl.col("g").cast(pl.Int64),
        (start - start.min().over("g")).alias("rel_start"),
        (start - start.min().over("g") + span.cast(pl.Int64)).alias("rel_end"),
    )
    base = frame["g"].to_numpy() * _SPAN_US
    starts = base + frame["rel_start"].to_numpy()
    ends = base + frame["rel_end"].to_numpy()
    sorted_starts, sorted_ends = np.sort(starts), np.sort(ends)
    began = np.searchsorted(sorted_starts, ends, "left") - np.searchsorted(sorted_starts, base)
    ended = np.searchsorted(sorted_ends, starts, "right") - np.searchsorted(sorted_ends, base)
    itself = (ends > starts).astype(np.int64)
    return np.maximum(began - ended - itself, 0)


def noise_weights(overlaps: np.ndarray, resid: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Second-pass weights ``1/√(s²/w² + τ_c²)`` from first-pass raw residuals.

    ``s²`` comes from the orders that traded alone (``τ_0 = 0``); ``τ_c²`` is
    what each overlap class adds on top, never negative. With fewer than
    ``MIN_CLASS_ROWS`` orders alone the first-pass weights are kept; a small
    overlap class takes the pooled extra variance of all overlapping orders.
    Only relative weights matter to the fits and their robust errors.
    """
    ok = np.isfinite(resid) & np.isfinite(weight) & (weight > 0)
    classes = np.minimum(overlaps, MAX_CLASS)
    alone = ok & (classes == 0)
    if alone.sum() < MIN_CLASS_ROWS:
        return weight
    shape = np.where(ok, 1.0 / np.where(ok, weight, 1.0) ** 2, np.nan)
    s2 = float(np.mean((resid[alone] * weight[alone]) ** 2))
    extra = resid**2 - s2 * shape
    shared = ok & (classes > 0)
    pooled = max(float(np.mean(extra[shared])), 0.0) if shared.any() else 0.0
    tau2 = np.zeros(MAX_CLASS + 1)
    for c in range(1, MAX_CLASS + 1):
        members = ok & (classes == c)
        tau2[c] = (
            max(float(np.mean(extra[members])), 0.0) if members.sum() >= MIN_CLASS_ROWS else pooled
        )
    variance = np.maximum(np.where(ok, s2 * shape + tau2[classes], 1.0), _TINY)
    # Rows the first pass could not judge keep their market-noise weight, on the same scale.
    return np.where(ok, 1.0 / np.sqrt(variance), weight / np.sqrt(max(s2, _TINY)))
