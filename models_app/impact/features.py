"""Model inputs from the order table, fitted once and applied identically everywhere.

``OrderFeatures`` learns what it needs from the training window only (medians
for missing values, the categories worth a column, the regime mixture) and is
pickled with the model, so a prediction months later transforms its order
exactly as the training rows were transformed.

Execution descriptors (participation, duration, passive share, fill rate) are
the order's plan: at pre-trade time they come from the strategy, for stored
orders from how the order was worked. Market inputs (σ20, ADV20, spread,
recent volatility, volume and depth) are all measured strictly before arrival.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .regimes import RegimeModel

SESSION_MINUTES = 390.0
MIN_DURATION_S = 60.0
MIN_CATEGORY_ROWS = 20
CLIP_QUANTILE = 0.005

# Columns imputed with their training median when missing.
_IMPUTED = (
    "volatility",
    "recent_vol",
    "arrival_spread_bps",
    "participation",
    "passive_share",
    "time_of_day",
    "recent_volume",
    "depth_adv",
)
BASE_FEATURES = (
    "log_sigma",
    "log_recent_vol",
    "log_size",
    "log_duration",
    "log_rate",
    "participation",
    "spread_bps",
    "passive_share",
    "fill_rate",
    "time_of_day",
    "side",
    "log_recent_volume",
    "log_depth",
)
PHYSICS_FEATURES = (
    "sig_sqrt_size",
    "sig_size",
    "sig_rate_half",
    "sig_rate",
    "rv_rate_half",
    "spread_aggressive",
    "spread_passive",
    "sigma_bps",
    "recent_vol_bps",
)


class OrderFeatures:
    """Fit on a training table; ``transform`` gives named float columns."""

    def __init__(self, n_regimes: int = 3) -> None:
        self.n_regimes = n_regimes

    def fit(self, table: pl.DataFrame) -> OrderFeatures:
        self.medians_ = {}
        for name in _IMPUTED:
            value = table[name].median()
            self.medians_[name] = float(value) if value is not None else 0.0  # type: ignore[arg-type]
        self.categories_ = {
            col: sorted(
                v
                for v, n in table[col].drop_nulls().value_counts().iter_rows()
                if n >= MIN_CATEGORY_ROWS
            )
            for col in ("algo", "broker")
        }
        self.regimes_ = RegimeModel(self.n_regimes).fit(self._filled(table))
        raw = self._numeric(table)
        self.bounds_ = {
            c: (float(raw[c].quantile(CLIP_QUANTILE)), float(raw[c].quantile(1 - CLIP_QUANTILE)))
            for c in raw.columns
        }
        return self

    def _filled(self, table: pl.DataFrame) -> pl.DataFrame:
        """Missing σ20 (too little history) falls back to the recent intraday σ, the
        recent σ to σ20, and whatever is still missing to the training median."""
        table = table.with_columns(
            pl.coalesce("volatility", "recent_vol").alias("volatility"),
            pl.coalesce("recent_vol", "volatility").alias("recent_vol"),
        )
        return table.with_columns(pl.col(c).fill_null(self.medians_[c]) for c in _IMPUTED)

    def regimes(self, table: pl.DataFrame) -> np.ndarray:
        return self.regimes_.predict(self._filled(table))

    @property
    def regime_names(self) -> list[str]:
        return self.regimes_.names

    def transform(self, table: pl.DataFrame) -> pl.DataFrame:
        """Every feature column (BASE, PHYSICS and one-hot groups) for ``table``'s rows.

        Numeric columns are clipped to the training range (0.5 % and 99.5 %
        quantiles), so a rare extreme order cannot make a fitted curve extrapolate.
        """
        t = self._filled(table)
        out = self._numeric(table).with_columns(
            pl.col(c).clip(lo, hi) for c, (lo, hi) in self.bounds_.items()
        )
        regimes = pl.Series(self.regimes(table))
        onehot = [
            (regimes == name).cast(pl.Float64).alias(f"regime={name}") for name in self.regime_names
        ]
        for col, values in self.categories_.items():
            onehot += [
                (t[col] == v).fill_null(False).cast(pl.Float64).alias(f"{col}={v}") for v in values
            ]
        return out.with_columns(onehot)

    def _numeric(self, table: pl.DataFrame) -> pl.DataFrame:
        t = self._filled(table)
        session = pl.col("session_minutes").fill_null(SESSION_MINUTES) * 60.0
        sig = pl.col("volatility").clip(lower_bound=1e-4) * 1e4
        rv = pl.col("recent_vol").clip(lower_bound=1e-4) * 1e4
        size = pl.col("size_adv").clip(lower_bound=1e-7)
        duration = pl.col("duration_s").fill_null(MIN_DURATION_S).clip(lower_bound=MIN_DURATION_S)
        days = duration / session
        rate = size / days
        fr = pl.col("fill_rate").fill_null(1.0).clip(0.0, 1.0)
        ps = pl.col("passive_share").clip(0.0, 1.0)
        spread = pl.col("arrival_spread_bps").clip(lower_bound=0.0)
        out = t.select(
            sig.log().alias("log_sigma"),
            rv.log().alias("log_recent_vol"),
            size.log().alias("log_size"),
            days.log().alias("log_duration"),
            rate.log().alias("log_rate"),
            pl.col("participation").clip(0.0, 1.0),
            spread.alias("spread_bps"),
            ps.alias("passive_share"),
            fr.alias("fill_rate"),
            pl.col("time_of_day").clip(0.0, 1.0),
            pl.col("side").cast(pl.Float64),
            pl.col("recent_volume").clip(lower_bound=1e-3).log().alias("log_recent_volume"),
            pl.col("depth_adv").clip(lower_bound=1e-7).log().alias("log_depth"),
            (sig * size.sqrt() * fr).alias("sig_sqrt_size"),
            (sig * size * fr).alias("sig_size"),
            (sig * rate.sqrt() * fr).alias("sig_rate_half"),
            (sig * rate * fr).alias("sig_rate"),
            (rv * rate.sqrt() * fr).alias("rv_rate_half"),
            (spread * (1.0 - ps) * fr).alias("spread_aggressive"),
            (spread * ps * fr).alias("spread_passive"),
            sig.alias("sigma_bps"),
            rv.alias("recent_vol_bps"),
        )
        return out

    def groups(self) -> dict[str, list[str]]:
        """Names of the one-hot columns by source (regime, algo, broker)."""
        return {
            "regime": [f"regime={n}" for n in self.regime_names],
            **{c: [f"{c}={v}" for v in vs] for c, vs in self.categories_.items()},
        }
