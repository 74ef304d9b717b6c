"""Re-attribution: a new permanent-impact model re-splits the persistent move.

The persistent move s·X·(P_post − P_a) = Î_perm + adverse selection is fixed by
the market; a promoted model only changes how it is split (SPEC §2). So the
split can be redone from the stored results alone, without quotes or
markouts: Î_perm = X·P_a·γ·σ20·X/ADV20 and adverse selection takes the rest.
"""

from __future__ import annotations

import polars as pl

COLUMNS = (
    "executed_qty",
    "arrival_price",
    "volatility",
    "adv20",
    "paper_notional",
    "permanent_impact_amount",
    "adverse_selection_amount",
)


def reattribute(results: pl.DataFrame, *, gamma: float) -> pl.DataFrame:
    """``results`` with permanent impact and adverse selection (amount and bps) re-split.

    Orders without σ20 or ADV20 get no estimate (zero permanent impact), as in
    the engine; the sum of the two components never changes.
    """
    x = pl.col("executed_qty").fill_null(0.0)
    frac = gamma * pl.col("volatility") * x / pl.col("adv20")
    new_perm = (
        pl.when((x == 0) | frac.is_null() | ~frac.is_finite() | pl.col("arrival_price").is_null())
        .then(0.0)
        .otherwise(x * pl.col("arrival_price") * frac)
    )
    persistent = pl.col("permanent_impact_amount").fill_null(0.0) + pl.col(
        "adverse_selection_amount"
    )
    notional = pl.col("paper_notional")
    bps = pl.when(notional > 0).then(1e4 / notional)
    return (
        results.with_columns(new_perm.alias("_perm"))
        .with_columns(
            pl.when(pl.col("adverse_selection_amount").is_null())
            .then(pl.col("permanent_impact_amount"))
            .otherwise(pl.col("_perm"))
            .alias("permanent_impact_amount"),
            (persistent - pl.col("_perm")).alias("adverse_selection_amount"),
        )
        .with_columns(
            (pl.col("permanent_impact_amount") * bps).alias("permanent_impact_bps"),
            (pl.col("adverse_selection_amount") * bps).alias("adverse_selection_bps"),
        )
        .drop("_perm")
    )
