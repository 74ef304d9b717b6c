"""The order table every model trains and predicts on: one row per parent order.

It is built from the TCA engine's per-order output (pure path) or from the
stored results (Django path), plus the market state at arrival, so both paths
hand the models the very same columns.

Targets, in bps of paper notional (SPEC §2):
- ``total_bps``: execution cost against the arrival mid (spread + temporary +
  permanent impact + adverse selection; delay, opportunity and fees are not
  impact and stay out);
- ``temporary_bps``: the part of the move at our fills that reverted;
- ``permanent_bps``: the persistent move ``s·X·(P_post − P_a)``, i.e. permanent
  impact plus adverse selection. Permanent impact alone is never observed, so
  models learn the persistent move and the Almgren form splits it.
"""

from __future__ import annotations

import numpy as np
import polars as pl

TARGETS: tuple[str, ...] = ("temporary_bps", "permanent_bps", "total_bps")
TOTAL = "total_bps"

INPUT_COLUMNS: dict[str, pl.DataType] = {
    "order_id": pl.String(),
    "symbol": pl.String(),
    "trade_date": pl.Date(),
    "arrival_time": pl.Datetime("ns", "UTC"),
    "side": pl.Int8(),
    "broker": pl.String(),
    "algo": pl.String(),
    "executed_qty": pl.Float64(),
    "fill_rate": pl.Float64(),
    "participation": pl.Float64(),
    "size_adv": pl.Float64(),
    "volatility": pl.Float64(),
    "adv20": pl.Float64(),
    "arrival_spread_bps": pl.Float64(),
    "duration_s": pl.Float64(),
    "passive_share": pl.Float64(),
    "time_of_day": pl.Float64(),
    "size_bucket": pl.String(),
}
TARGET_COLUMNS: dict[str, pl.DataType] = {
    "temporary_bps": pl.Float64(),
    "permanent_bps": pl.Float64(),
    "total_bps": pl.Float64(),
    "spread_cost_bps": pl.Float64(),
    # Known only after the order: its post horizon was cut at the close, so the
    # persistent move still holds temporary impact (the permanent fit skips it).
    "post_clipped": pl.Boolean(),
}
POST_CLIPPED_FLAG = "post_horizon_clipped"


def order_table_from_tca(order_costs: pl.DataFrame, state: pl.DataFrame) -> pl.DataFrame:
    """The order table from ``run_tca(...).order_costs`` and ``market_state(...)``."""
    costs = order_costs.select(
        *[c for c in INPUT_COLUMNS if c != "trade_date"],
        pl.col("trade_date").cast(pl.Date),
        pl.col("temporary_impact_bps").alias("temporary_bps"),
        (pl.col("permanent_impact_bps").fill_null(0.0) + pl.col("adverse_selection_bps")).alias(
            "permanent_bps"
        ),
        pl.col("execution_bps").alias("total_bps"),
        pl.col("spread_bps").alias("spread_cost_bps"),
        pl.col("flags").list.contains(POST_CLIPPED_FLAG).alias("post_clipped"),
    )
    return conform_table(costs.join(state, on="order_id", how="left"))


def table_schema() -> dict[str, pl.DataType]:
    """Every column of the order table, in order, with its type."""
    from .market_state import STATE_COLUMNS

    return {**INPUT_COLUMNS, **STATE_COLUMNS, **TARGET_COLUMNS}


def conform_table(frame: pl.DataFrame) -> pl.DataFrame:
    """Cast to the table's types; missing target or state columns become null.

    Signal columns (``signal:<name>``, see ``signals.py``) are kept, as floats.
    """
    from .signals import PREFIX

    schema = table_schema() | {c: pl.Float64() for c in frame.columns if c.startswith(PREFIX)}
    cols = [
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in schema.items()
    ]
    out = frame.select(cols).with_columns(
        pl.col(c).fill_nan(None) for c, t in schema.items() if t == pl.Float64()
    )
    return out.sort("arrival_time", "order_id")


def trainable(table: pl.DataFrame) -> pl.DataFrame:
    """Rows a model can learn from: executed, with ADV known and every target measured."""
    return table.filter(
        (pl.col("executed_qty") > 0)
        & pl.col("size_adv").is_not_null()
        & pl.all_horizontal(pl.col(t).is_not_null() for t in TARGETS)
    )


def predictable(table: pl.DataFrame) -> pl.DataFrame:
    """Rows a model can predict: executed and with ADV known (the size feature).

    The table itself when every row qualifies (checked on the two columns'
    arrays): a pre-trade request's rows always do, and a filter would cost
    more than the model.
    """
    executed, size = table["executed_qty"].to_numpy(), table["size_adv"].to_numpy()
    if ((executed > 0) & ~np.isnan(size.astype(float))).all():
        return table
    return table.filter((pl.col("executed_qty") > 0) & pl.col("size_adv").is_not_null())
