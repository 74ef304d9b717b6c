"""Market regimes: a Gaussian mixture over the market state at arrival.

The state is (recent volatility, spread, depth, recent volume), in logs and
standardised on the training window. Components are named by how stressed
they look (high volatility and spread, thin book), so a label means the same
thing from one training run to the next even though mixture components come
out in arbitrary order.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.mixture import GaussianMixture

REGIME_NAMES: dict[int, tuple[str, ...]] = {
    1: ("normal",),
    2: ("calm", "stressed"),
    3: ("calm", "normal", "stressed"),
    4: ("calm", "normal", "active", "stressed"),
}
STATE_INPUTS = ("vol", "spread", "depth", "volume")
_STRESS = np.array([1.0, 1.0, -1.0, 0.0])  # direction of stress along each input


def state_matrix(table: pl.DataFrame) -> np.ndarray:
    """log state per row (NaN where unknown); recent volatility falls back to σ20."""
    vol = pl.coalesce("recent_vol", "volatility")
    frame = table.select(
        vol.log().alias("vol"),
        pl.col("arrival_spread_bps").log().alias("spread"),
        pl.col("depth_adv").log().alias("depth"),
        pl.col("recent_volume").log().alias("volume"),
    )
    out = frame.to_numpy().astype(float)
    out[~np.isfinite(out)] = np.nan
    return out


class RegimeModel:
    """k-component Gaussian mixture on the standardised log market state."""

    def __init__(self, n_regimes: int = 3, seed: int = 0) -> None:
        self.n_regimes = n_regimes
        self.seed = seed

    def fit(self, table: pl.DataFrame) -> RegimeModel:
        x = state_matrix(table)
        self.center_ = np.nanmedian(x, axis=0)
        self.center_ = np.where(np.isfinite(self.center_), self.center_, 0.0)
        filled = np.where(np.isnan(x), self.center_, x)
        self.scale_ = filled.std(axis=0)
        self.scale_[~(self.scale_ > 0)] = 1.0
        z = (filled - self.center_) / self.scale_
        k = max(1, min(self.n_regimes, len(z) // 20))
        self.gmm_ = GaussianMixture(
            n_components=k, covariance_type="full", n_init=3, random_state=self.seed, reg_covar=1e-3
        ).fit(z)
        stress = self.gmm_.means_ @ _STRESS
        order = np.argsort(stress)
        names = REGIME_NAMES.get(k) or tuple(f"regime_{i}" for i in range(k))
        self.labels_ = np.empty(k, dtype=object)
        self.labels_[order] = names
        return self

    @property
    def names(self) -> list[str]:
        return list(REGIME_NAMES.get(len(self.labels_), tuple(self.labels_)))

    def predict(self, table: pl.DataFrame) -> np.ndarray:
        """Regime name per row; unknown inputs sit at the training median."""
        if table.height == 0:
            return np.array([], dtype=object)
        x = state_matrix(table)
        z = (np.where(np.isnan(x), self.center_, x) - self.center_) / self.scale_
        return self.labels_[self.gmm_.predict(z)]

    def describe(self) -> dict[str, dict[str, float]]:
        """Each regime's centre in natural units (for the docs and the admin)."""
        centres = np.exp(self.gmm_.means_ * self.scale_ + self.center_)
        return {
            str(self.labels_[i]): {
                "recent_vol_bps": float(centres[i, 0] * 1e4),
                "spread_bps": float(centres[i, 1]),
                "depth_adv_bps": float(centres[i, 2] * 1e4),
                "recent_volume": float(centres[i, 3]),
                "weight": float(self.gmm_.weights_[i]),
            }
            for i in range(len(self.labels_))
        }
