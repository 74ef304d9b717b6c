"""The permanent-impact estimate Î_perm that splits the persistent move (SPEC §2).

The estimate comes from the calibrated permanent-impact model, the champion
Almgren-form model of ``models_app``: Î_perm/price = γ·σ·(X/ADV). With no
calibrated model yet, the estimate is absent and the engine books zero.
"""

from __future__ import annotations

import polars as pl

from tca.analytics import TcaConfig


def permanent_impact_estimates(
    *,
    orders: pl.DataFrame,
    fills: pl.DataFrame,
    daily: pl.DataFrame,
    instruments: pl.DataFrame,
    config: TcaConfig,
) -> pl.DataFrame | None:
    """Per order ``permanent_impact_frac`` and ``model_version``, or None without a model."""
    from models_app.selectors import permanent_impact_model

    model = permanent_impact_model()
    if model is None or fills.height == 0 or daily.height == 0:
        return None
    from tca.analytics import daily_features

    feats = daily_features(daily, config)
    executed = fills.group_by("order_id").agg(pl.col("quantity").sum().alias("_x"))
    frame = (
        orders.select("order_id", "symbol", "trade_date")
        .join(executed, on="order_id", how="left")
        .join(
            feats.select("symbol", pl.col("date").alias("trade_date"), "adv20", "sigma20"),
            on=["symbol", "trade_date"],
            how="left",
        )
    )
    return frame.select(
        "order_id",
        (model.gamma * pl.col("sigma20") * pl.col("_x").fill_null(0.0) / pl.col("adv20"))
        .alias("permanent_impact_frac"),
        pl.lit(model.version).alias("model_version"),
    )
