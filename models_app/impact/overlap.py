"""Our own orders that traded the same name at the same time, and what that does to fits.

An order's persistent move ``P_post − P_a`` also holds the impact of our other
orders in the same instrument that were live inside its window (their
temporary impact at either end, their permanent impact in between). That is
noise to the order-level fits, and it does not shrink with the market's own
noise, so the baselines weight each order by how noisy orders of its kind
(alone, one overlap, more) turned out to be: feasible generalised least
squares, one variance per overlap class.
"""

from __future__ import annotations

import numpy as np
import polars as pl

MAX_CLASS = 2  # 0, 1, 2 or more overlapping orders


def own_overlaps(table: pl.DataFrame, *, post_horizon_s: float) -> np.ndarray:
    """For each row: how many other rows of the same symbol and date were live in its window.

    An order's window is [arrival, end + post horizon]; another order overlaps
    when its own window intersects it. Orders of one (symbol, date) are few,
    so the pairwise join stays small.
    """
    if table.height == 0:
        return np.zeros(0, dtype=np.int64)
    end = pl.col("arrival_time") + pl.duration(
        seconds=pl.col("duration_s").fill_null(0.0).clip(lower_bound=0.0) + post_horizon_s
    )
    windows = table.with_row_index("_row").select(
        "_row", "symbol", "trade_date", pl.col("arrival_time").alias("_start"), end.alias("_end")
    )
    pairs = windows.join(windows, on=["symbol", "trade_date"], suffix="_other").filter(
        (pl.col("_row") != pl.col("_row_other"))
        & (pl.col("_start_other") < pl.col("_end"))
        & (pl.col("_end_other") > pl.col("_start"))
    )
    counts = pairs.group_by("_row").agg(pl.len().alias("n"))
    out = np.zeros(table.height, dtype=np.int64)
    out[counts["_row"].to_numpy()] = counts["n"].to_numpy()
    return out


def class_weights(overlaps: np.ndarray, resid: np.ndarray) -> np.ndarray:
    """Per-row factor 1/σ_class from first-pass (already weighted) residuals.

    A class with fewer than 30 rows borrows the variance of all rows, so a
    handful of orders cannot claim a tiny variance and dominate the fit.
    """
    classes = np.minimum(overlaps, MAX_CLASS)
    pooled = float(np.mean(resid**2)) or 1.0
    scale = np.ones(resid.size)
    for c in range(MAX_CLASS + 1):
        members = classes == c
        n = int(members.sum())
        variance = float(np.mean(resid[members] ** 2)) if n >= 30 else pooled
        scale[members] = 1.0 / np.sqrt(max(variance, 1e-12 * pooled))
    return scale * np.sqrt(pooled)  # relative weights; the overall level is unchanged
