"""Split-conformal predictive distributions for the total cost.

On a calibration window the model never trained on, each order gives a
normalised signed score e = (y − ŷ)/s(x), with s(x) a fitted scale (price
noise grows with volatility and duration). For a new order the scores shifted
and scaled, ŷ + s(x)·e_j, form its predictive distribution (Vovk's conformal
predictive system): quantiles, standard deviation and P(cost > threshold) all
come from that one distribution, so they agree with each other, and the
5 %/95 % quantiles carry the finite-sample split-conformal guarantee of at
least 90 % coverage when calibration and test orders are exchangeable.

Libraries such as MAPIE return intervals at fixed confidence levels; the
exceedance probability and the standard deviation need the whole
distribution, hence this small implementation.
"""

from __future__ import annotations

import math

import numpy as np

MIN_CALIBRATION = 20


class ConformalDistribution:
    """Sorted calibration scores and the operations on them."""

    def __init__(self, scores: np.ndarray) -> None:
        scores = np.asarray(scores, dtype=float)
        scores = scores[np.isfinite(scores)]
        if scores.size < MIN_CALIBRATION:
            raise ValueError(f"need at least {MIN_CALIBRATION} calibration scores")
        self.scores = np.sort(scores)

    @property
    def n(self) -> int:
        return int(self.scores.size)

    def score_quantile(self, p: float) -> float:
        """Conformal quantile: the ⌈(n+1)p⌉-th score above the median, ⌊(n+1)p⌋-th below.

        Outer quantiles are widened this way so that [q(α/2), q(1 − α/2)] covers
        at least 1 − α; beyond the data they clip to the extreme score.
        """
        n = self.n
        k = math.ceil((n + 1) * p) if p >= 0.5 else math.floor((n + 1) * p)
        return float(self.scores[min(max(k, 1), n) - 1])

    def quantiles(self, center: np.ndarray, scale: np.ndarray, p: float) -> np.ndarray:
        return center + scale * self.score_quantile(p)

    def std(self, scale: np.ndarray) -> np.ndarray:
        return scale * float(self.scores.std(ddof=1))

    def mean_shift(self, scale: np.ndarray) -> np.ndarray:
        return scale * float(self.scores.mean())

    def p_exceed(self, center: np.ndarray, scale: np.ndarray, threshold: float) -> np.ndarray:
        """P(cost > threshold) with ties split, (#above + ½)/(n + 1), never exactly 0 or 1."""
        z = (threshold - center) / scale
        above = self.n - np.searchsorted(self.scores, z, side="right")
        return (above + 0.5) / (self.n + 1)
