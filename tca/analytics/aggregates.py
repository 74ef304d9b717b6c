"""Additive per-day sums of costs and markouts by dimension, for the dashboards.

Rows are sums, never averages, so any date range or set of keys aggregates by
addition: notional-weighted bps = Σ amount / Σ notional × 1e4. Each component
has its own notional denominator (orders where it is measurable), so an order
whose spread is unknown does not dilute the spread of the others.
Null keys are reported as "unknown"; side keys read "buy"/"sell".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

from .config import COST_NAMES

DEFAULT_COST_DIMS: tuple[str, ...] = (
    "broker",
    "algo",
    "trader",
    "desk",
    "symbol",
    "side",
    "trade_date",
    "regime",
    "size_bucket",
)
DEFAULT_MARKOUT_DIMS: tuple[str, ...] = (
    "broker",
    "algo",
    "venue",
    "liquidity",
    "trader",
    "desk",
    "symbol",
    "trade_date",
    "regime",
)
UNKNOWN_KEY = "unknown"
_MARKOUT_COL = re.compile(r"^markout_m?\d+(?:s|ms|ns)$")


def _key(frame: pl.DataFrame, dim: str) -> pl.Expr:
    col = pl.col(dim)
    if dim == "side":
        col = pl.when(col > 0).then(pl.lit("buy")).when(col < 0).then(pl.lit("sell"))
    elif frame.schema[dim] == pl.Date:
        col = col.dt.to_string("%Y-%m-%d")
    else:
        col = col.cast(pl.String)
    return col.fill_null(UNKNOWN_KEY).alias(f"_k_{dim}")


def _check_dims(frame: pl.DataFrame, dims: Sequence[str]) -> None:
    if not dims:
        raise ValueError("aggregation: no dimensions")
    missing = [d for d in (*dims, "trade_date") if d not in frame.columns]
    if missing:
        raise ValueError(f"aggregation: missing column(s) {', '.join(missing)}")


def _by_dimension(
    fine: pl.DataFrame, dims: Sequence[str], extra_keys: Sequence[str], sums: Sequence[str]
) -> pl.DataFrame:
    """Re-sum the finest-grain table once per dimension and stack the results."""
    parts = [
        fine.group_by(f"_k_{dim}", "trade_date", *extra_keys)
        .agg(pl.col(c).sum() for c in sums)
        .select(
            pl.lit(dim).alias("dimension"),
            pl.col(f"_k_{dim}").alias("key"),
            "trade_date",
            *extra_keys,
            *sums,
        )
        for dim in dims
    ]
    return pl.concat(parts).sort("dimension", "key", "trade_date", *extra_keys)


def aggregate_costs(costs: pl.DataFrame, dims: Sequence[str] = DEFAULT_COST_DIMS) -> pl.DataFrame:
    """dimension, key, trade_date, n_orders, paper_notional, executed_notional and, per
    cost, ``<name>_amount`` with its own denominator ``<name>_notional``."""
    _check_dims(costs, dims)
    notional = pl.col("paper_notional")
    measurable = [pl.col(f"{n}_amount").is_not_null() & notional.is_not_null() for n in COST_NAMES]
    values = [
        pl.lit(1, dtype=pl.Int64).alias("n_orders"),
        notional.fill_null(0.0).alias("paper_notional"),
        pl.col("executed_notional").fill_null(0.0),
        *(
            pl.when(ok).then(pl.col(f"{n}_amount")).otherwise(0.0).alias(f"{n}_amount")
            for n, ok in zip(COST_NAMES, measurable, strict=True)
        ),
        *(
            pl.when(ok).then(notional).otherwise(0.0).alias(f"{n}_notional")
            for n, ok in zip(COST_NAMES, measurable, strict=True)
        ),
    ]
    sums = [e.meta.output_name() for e in values]
    keys = [_key(costs, d) for d in dims]
    fine = (
        costs.select(*keys, "trade_date", *values)
        .group_by(*(f"_k_{d}" for d in dims), "trade_date")
        .agg(pl.col(c).sum() for c in sums)
    )
    return _by_dimension(fine, dims, (), sums)


def markout_columns(frame: pl.DataFrame) -> list[str]:
    """The ``markout_<h>`` columns of a markout frame, in frame order."""
    return [c for c in frame.columns if _MARKOUT_COL.match(c)]


def aggregate_markouts(
    markouts: pl.DataFrame, dims: Sequence[str] = DEFAULT_MARKOUT_DIMS
) -> pl.DataFrame:
    """dimension, key, trade_date, liquidity (passive / aggressive / all), n_fills,
    notional and, per horizon, ``<markout>_wsum`` = Σ notional·markout with its
    denominator ``<markout>_notional`` = Σ notional where that markout exists."""
    _check_dims(markouts, dims)
    horizons = markout_columns(markouts)
    notional = pl.col("notional")
    values = [
        pl.lit(1, dtype=pl.Int64).alias("n_fills"),
        notional.fill_null(0.0).alias("notional"),
        *(
            pl.when(pl.col(h).is_not_null() & notional.is_not_null())
            .then(pl.col(h) * notional)
            .otherwise(0.0)
            .alias(f"{h}_wsum")
            for h in horizons
        ),
        *(
            pl.when(pl.col(h).is_not_null() & notional.is_not_null())
            .then(notional)
            .otherwise(0.0)
            .alias(f"{h}_notional")
            for h in horizons
        ),
    ]
    sums = [e.meta.output_name() for e in values]
    passive = pl.col("passive")
    cls = (
        pl.when(passive.is_null())
        .then(None)
        .when(passive)
        .then(pl.lit("passive"))
        .otherwise(pl.lit("aggressive"))
        .alias("_class")
    )
    keys = [_key(markouts, d) for d in dims]
    fine = (
        markouts.select(*keys, "trade_date", cls, *values)
        .group_by(*(f"_k_{d}" for d in dims), "trade_date", "_class")
        .agg(pl.col(c).sum() for c in sums)
    )
    split = fine.filter(pl.col("_class").is_not_null())
    every = fine.with_columns(pl.lit("all").alias("_class"))
    both = pl.concat([split, every])
    return _by_dimension(both, dims, ("_class",), sums).rename({"_class": "liquidity"})
