"""Entry point of a TCA run over one chunk (e.g. a trade date × a group of symbols)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from .aggregates import aggregate_costs, aggregate_markouts, markout_columns
from .asof import QuoteIndex
from .config import TcaConfig
from .costs import compute_order_costs
from .markouts import compute_fill_markouts

# Order attributes copied onto each fill so markouts aggregate by them too.
_ORDER_ATTRIBUTES = ("trader", "desk", "portfolio", "regime", "size_bucket")


@dataclass(frozen=True)
class TcaResult:
    """order_costs: one row per order (plus its notional-weighted markout curve);
    fill_markouts: one row per fill with the order's attributes;
    cost_aggregates / markout_aggregates: additive per-day sums by dimension."""

    order_costs: pl.DataFrame
    fill_markouts: pl.DataFrame
    cost_aggregates: pl.DataFrame
    markout_aggregates: pl.DataFrame


def run_tca(
    *,
    orders: pl.DataFrame,
    fills: pl.DataFrame,
    quotes: pl.DataFrame,
    trades: pl.DataFrame,
    instruments: pl.DataFrame | None = None,
    daily: pl.DataFrame | None = None,
    permanent_impact: pl.DataFrame | None = None,
    config: TcaConfig | None = None,
) -> TcaResult:
    """Costs, markouts and their aggregates for one chunk; the quotes are keyed once
    and shared by every lookup. Fills of orders outside ``orders`` still get
    markouts (with null order attributes) but no order cost."""
    config = config or TcaConfig()
    qidx = QuoteIndex(quotes)
    costs = compute_order_costs(
        orders=orders,
        fills=fills,
        quotes=qidx,
        trades=trades,
        instruments=instruments,
        daily=daily,
        permanent_impact=permanent_impact,
        config=config,
    )
    marks = compute_fill_markouts(fills=fills, quotes=qidx, config=config, instruments=instruments)
    attrs = costs.select(
        "order_id",
        *_ORDER_ATTRIBUTES,
        pl.col("broker").alias("_order_broker"),
        pl.col("algo").alias("_order_algo"),
    )
    marks = (
        marks.join(attrs, on="order_id", how="left", maintain_order="left")
        .with_columns(
            pl.coalesce("broker", "_order_broker").alias("broker"),
            pl.coalesce("algo", "_order_algo").alias("algo"),
        )
        .drop("_order_broker", "_order_algo")
    )
    costs = costs.join(
        order_markout_curves(marks), on="order_id", how="left", maintain_order="left"
    )
    return TcaResult(
        order_costs=costs,
        fill_markouts=marks,
        cost_aggregates=aggregate_costs(costs),
        markout_aggregates=aggregate_markouts(marks),
    )


def order_markout_curves(markouts: pl.DataFrame) -> pl.DataFrame:
    """Per order, each horizon's notional-weighted markout (bps) over fills that have it."""
    w = pl.col("notional")
    return (
        markouts.group_by("order_id")
        .agg(
            (
                (pl.col(h) * w).sum()
                / pl.when(pl.col(h).is_not_null()).then(w).otherwise(0.0).sum()
            ).alias(h)
            for h in markout_columns(markouts)
        )
        .with_columns(pl.col(h).fill_nan(None) for h in markout_columns(markouts))
    )
