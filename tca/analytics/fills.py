"""Per-order sums over fills: the only fill-level quantities the shortfall needs.

Every cost is linear in the fills, so an order is fully described by X = Σq,
Σq·p, Σq·(p − m) and Σq·m (m = mid strictly before each fill) and Σ fees; the
order of the fills and how a quantity is split at one price cannot matter.
A fill whose mid is missing makes the sums that need it null (never 0).
"""

from __future__ import annotations

import polars as pl

from .asof import QuoteIndex, QuoteState
from .inputs import conform

FILL_TOTALS_SCHEMA: dict[str, pl.DataType] = {
    "order_id": pl.String(),
    "n_fills": pl.Int64(),
    "n_invalid_fills": pl.Int64(),
    "executed_qty": pl.Float64(),
    "_sum_qp": pl.Float64(),
    "_sum_q_spread": pl.Float64(),
    "_sum_qm": pl.Float64(),
    "_n_missing_mid": pl.Int64(),
    "_n_stale_mid": pl.Int64(),
    "_n_invalid_mid": pl.Int64(),
    "fees_amount": pl.Float64(),
    "first_fill_time": pl.Datetime("ns", "UTC"),
    "last_fill_time": pl.Datetime("ns", "UTC"),
    "_passive_qty": pl.Float64(),
}


def valid_fill() -> pl.Expr:
    """A usable fill: positive quantity, finite price and a time (SPEC: q_i > 0)."""
    return (pl.col("quantity") > 0) & pl.col("price").is_finite() & pl.col("time").is_not_null()


def fill_totals(
    fills: pl.DataFrame, orders: pl.DataFrame, quotes: QuoteIndex, staleness_ns: int
) -> pl.DataFrame:
    """One row per order of ``orders`` that has fills (fills of other orders are
    ignored). m_i is looked up on the fill's own symbol."""
    f = conform(fills, "fills").select(
        "order_id", "symbol", "quantity", "price", "time", "fee", "liquidity"
    )
    f = f.filter(pl.col("order_id").is_in(orders["order_id"].implode()))
    if f.height == 0:
        return pl.DataFrame(schema=FILL_TOTALS_SCHEMA)
    valid = f.select(valid_fill()).to_series()
    invalid = (
        f.filter(~valid).group_by("order_id").agg(pl.len().cast(pl.Int64).alias("n_invalid_fills"))
    )
    f = f.filter(valid)
    look = quotes.lookup_series(f["symbol"], f["time"], staleness_ns)
    mid = pl.Series("_mid", look.mid).fill_nan(None)
    state = pl.Series("_state", look.state)
    q, p = pl.col("quantity"), pl.col("price")
    per_fill = f.select(
        "order_id",
        "time",
        q,
        (q * p).alias("_qp"),
        (q * (p - mid)).alias("_q_spread"),
        (q * mid).alias("_qm"),
        mid.is_null().alias("_no_mid"),
        (state == QuoteState.STALE).alias("_stale"),
        (state == QuoteState.INVALID).alias("_invalid"),
        pl.col("fee").fill_null(0.0).alias("_fee"),
        pl.when(pl.col("liquidity") == "ADD").then(q).otherwise(0.0).alias("_passive"),
    )

    def all_or_null(col: str) -> pl.Expr:
        return pl.when(pl.col(col).null_count() == 0).then(pl.col(col).sum()).alias(col)

    totals = per_fill.group_by("order_id").agg(
        pl.len().cast(pl.Int64).alias("n_fills"),
        q.sum().alias("executed_qty"),
        pl.col("_qp").sum().alias("_sum_qp"),
        all_or_null("_q_spread").alias("_sum_q_spread"),
        all_or_null("_qm").alias("_sum_qm"),
        pl.col("_no_mid").sum().cast(pl.Int64).alias("_n_missing_mid"),
        pl.col("_stale").sum().cast(pl.Int64).alias("_n_stale_mid"),
        pl.col("_invalid").sum().cast(pl.Int64).alias("_n_invalid_mid"),
        pl.col("_fee").sum().alias("fees_amount"),
        pl.col("time").min().alias("first_fill_time"),
        pl.col("time").max().alias("last_fill_time"),
        pl.col("_passive").sum().alias("_passive_qty"),
    )
    return (
        totals.join(invalid, on="order_id", how="full", coalesce=True)
        .with_columns(pl.col("n_fills", "n_invalid_fills").fill_null(0))
        .select(FILL_TOTALS_SCHEMA.keys())
    )
