"""Market regimes: a Gaussian mixture over the market state at arrival.

The state is (recent volatility, spread, depth, recent volume), in logs and
standardised on the training window. Components are named by how stressed
they look (high volatility and spread, thin book), so a label means the same
thing from one training run to the next even though mixture components come
out in arbitrary order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.mixture import GaussianMixture

REGIME_NAMES: dict[int, tuple[str, ...]] = {
    1: ("normal",),
    2: ("calm", "stressed"),
    3: ("calm", "normal", "stressed"),
    4: ("calm", "normal", "active", "stressed"),
}
STATE_INPUTS = ("vol", "spread", "depth", "volume")
_STRESS = np.array([1.0, 1.0, -1.0, 0.0])  # direction of stress along each input


def state_matrix(columns: Mapping[str, Any]) -> np.ndarray:
    """log state per row (NaN where unknown); recent volatility falls back to σ20."""

    def get(name: str) -> np.ndarray:
        return np.asarray(columns[name], dtype=float)  # arrays, or a frame's columns

    recent, sigma = get("recent_vol"), get("volatility")
    raw = np.column_stack(
        [
            np.where(np.isnan(recent), sigma, recent),
            get("arrival_spread_bps"),
            get("depth_adv"),
            get("recent_volume"),
        ]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(raw)
    out[~np.isfinite(out)] = np.nan
    return out


def _most_likely(gmm: GaussianMixture, z: np.ndarray) -> np.ndarray:
    """``gmm.predict(z)`` for a full-covariance mixture, from its fitted attributes.

    The component maximising log wₖ + log N(z | μₖ, Σₖ), with Σₖ⁻¹ = LₖLₖᵀ the
    stored precision Cholesky factors; the constant −d/2·log 2π is dropped.
    sklearn's own call re-validates its input, which costs more than the
    arithmetic for a pre-trade request's few rows.
    """
    chol = gmm.precisions_cholesky_  # (k, d, d)
    y = np.einsum("nd,kde->nke", z, chol) - np.einsum("kd,kde->ke", gmm.means_, chol)
    log_det = np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    score = np.log(gmm.weights_) + log_det - 0.5 * (y**2).sum(axis=2)
    return np.asarray(score.argmax(axis=1))


class RegimeModel:
    """k-component Gaussian mixture on the standardised log market state."""

    def __init__(self, n_regimes: int = 3, seed: int = 0) -> None:
        self.n_regimes = n_regimes
        self.seed = seed

    def fit(self, columns: Mapping[str, Any]) -> RegimeModel:
        x = state_matrix(columns)
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

    def predict(self, columns: Mapping[str, Any]) -> np.ndarray:
        """Regime name per row; unknown inputs sit at the training median."""
        x = state_matrix(columns)
        if x.shape[0] == 0:
            return np.array([], dtype=object)
        z = (np.where(np.isnan(x), self.center_, x) - self.center_) / self.scale_
        return self.labels_[_most_likely(self.gmm_, z)]  # type: ignore[no-any-return]

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
