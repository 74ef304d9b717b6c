"""Order features stored with the result, for attribution and the impact models.

All are functions of data known at or before the order's own window, except
fill-derived ones (fill rate, passive share) which describe the execution.
"""

from __future__ import annotations

import polars as pl

from .config import SIZE_BUCKET_EDGES, SIZE_BUCKET_LABELS, TcaConfig
from .daily import annualised

X = pl.col("executed_qty")


def _ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den > 0).then(num / den)


def size_bucket(size_adv: pl.Expr) -> pl.Expr:
    """Bucket of X / ADV20: [0, 0.5%), [0.5%, 1%), [1%, 5%), [5%, 10%), ≥ 10%; null unknown."""
    expr = pl.lit(SIZE_BUCKET_LABELS[-1])
    for edge, label in zip(
        reversed(SIZE_BUCKET_EDGES), reversed(SIZE_BUCKET_LABELS[:-1]), strict=True
    ):
        expr = pl.when(size_adv < edge).then(pl.lit(label)).otherwise(expr)
    return pl.when(size_adv.is_not_null()).then(expr)


def volatility_regime(sigma_daily: pl.Expr, config: TcaConfig) -> pl.Expr:
    """low_vol / normal / high_vol by annualised σ20 against ``config.regime_vol_bounds``."""
    low, high = config.regime_vol_bounds
    ann = annualised(sigma_daily)
    return (
        pl.when(ann.is_null())
        .then(None)
        .when(ann < low)
        .then(pl.lit("low_vol"))
        .when(ann > high)
        .then(pl.lit("high_vol"))
        .otherwise(pl.lit("normal"))
    )


def feature_columns(config: TcaConfig) -> list[pl.Expr]:
    """fill_rate … minutes_since_open; expects the order frame built in ``costs``."""
    t_a = pl.col("arrival_time")
    open_ = pl.col("_session_open")
    close = pl.col("_trade_date_close")
    ns_per_s = 1e9
    return [
        _ratio(X, pl.col("quantity")).alias("fill_rate"),
        _ratio(X, pl.col("_window_volume")).alias("participation"),
        _ratio(X, pl.col("adv20")).alias("size_adv"),
        pl.col("sigma20").alias("volatility"),
        pl.col("adv20"),
        _ratio(pl.col("_arrival_ask") - pl.col("_arrival_bid"), pl.col("arrival_mid"))
        .mul(1e4)
        .alias("arrival_spread_bps"),
        ((pl.col("_end_time") - t_a).dt.total_nanoseconds() / ns_per_s).alias("duration_s"),
        _ratio(pl.col("_passive_qty"), X).alias("passive_share"),
        _ratio(
            (t_a - open_).dt.total_nanoseconds().cast(pl.Float64),
            (close - open_).dt.total_nanoseconds().cast(pl.Float64),
        ).alias("time_of_day"),
        ((t_a - open_).dt.total_nanoseconds() / (60 * ns_per_s)).alias("minutes_since_open"),
    ]
