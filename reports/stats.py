"""Statistics behind the dashboards, on plain numbers (no Django), so they are unit-tested.

Confidence intervals are for notional-weighted means and use the sandwich
(cluster-robust) variance: Var(m) = Σ w²(x − m)² / (Σ w)². With one row per
order this treats orders as independent; fed with per-day sums it treats days
as the clusters (fills of the same day are correlated), which is how the
fill-level aggregates get an interval without per-fill data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

CONFIDENCE = 0.95


@dataclass(frozen=True)
class MeanCI:
    mean: float | None
    low: float | None
    high: float | None
    n: int


def weighted_mean_ci(
    *, n: int, sw: float, swx: float, sww: float, swwx: float, swwxx: float
) -> MeanCI:
    """Mean Σwx/Σw and its CI from the five running sums of (w, x) over n clusters."""
    if n <= 0 or sw <= 0:
        return MeanCI(None, None, None, max(n, 0))
    mean = swx / sw
    if n < 2:
        return MeanCI(mean, None, None, n)
    spread = max(swwxx - 2 * mean * swwx + mean * mean * sww, 0.0)
    se = math.sqrt(spread * n / (n - 1)) / sw
    half = float(sps.t.ppf(0.5 + CONFIDENCE / 2, n - 1)) * se
    return MeanCI(mean, mean - half, mean + half, n)


def weighted_mean_ci_arrays(weights: np.ndarray, values: np.ndarray) -> MeanCI:
    """The same CI from arrays (rows with a missing value or weight are dropped)."""
    ok = np.isfinite(weights) & np.isfinite(values) & (weights > 0)
    w, x = weights[ok], values[ok]
    return weighted_mean_ci(
        n=len(x),
        sw=float(w.sum()),
        swx=float((w * x).sum()),
        sww=float((w * w).sum()),
        swwx=float((w * w * x).sum()),
        swwxx=float((w * w * x * x).sum()),
    )


def wilson_ci(successes: int, n: int) -> MeanCI:
    """A share with Wilson's score interval (sound at 0 % and 100 %, unlike mean ± 2 se)."""
    if n <= 0:
        return MeanCI(None, None, None, 0)
    z = float(sps.norm.ppf(0.5 + CONFIDENCE / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return MeanCI(p, centre - half, centre + half, n)


@dataclass(frozen=True)
class SqrtFit:
    """cost = a + b·√x, by ordinary least squares (the square-root impact law)."""

    a: float
    b: float
    r2: float | None
    n: int

    def predict(self, x: Sequence[float]) -> list[float]:
        return [self.a + self.b * math.sqrt(max(v, 0.0)) for v in x]


def sqrt_fit_from_sums(
    *, n: int, s: float, ss: float, y: float, sy: float, yy: float
) -> SqrtFit | None:
    """Least squares of y on s = √x from Σs, Σs², Σy, Σs·y, Σy² (so SQL can sum them)."""
    if n < 3:
        return None
    det = n * ss - s * s
    if det <= 1e-12 * max(n * ss, 1.0):
        return None  # every x the same: no slope to fit
    b = (n * sy - s * y) / det
    a = (y - b * s) / n
    sse = yy - a * y - b * sy
    sst = yy - y * y / n
    r2 = 1 - sse / sst if sst > 0 else None
    return SqrtFit(a, b, r2, n)


def sqrt_fit(x: np.ndarray, y: np.ndarray) -> SqrtFit | None:
    """The same fit from arrays (rows with a missing or negative x are dropped)."""
    ok = np.isfinite(x) & np.isfinite(y) & (x >= 0)
    s, yy = np.sqrt(x[ok]), y[ok]
    return sqrt_fit_from_sums(
        n=len(yy),
        s=float(s.sum()),
        ss=float((s * s).sum()),
        y=float(yy.sum()),
        sy=float((s * yy).sum()),
        yy=float((yy * yy).sum()),
    )


@dataclass(frozen=True)
class Bin:
    x: float
    mean: float
    low: float | None
    high: float | None
    n: int


def quantile_bins(x: np.ndarray, y: np.ndarray, n_bins: int = 10) -> list[Bin]:
    """Mean of y (with a 95 % CI) in equal-count bins of x: the readable summary of a cloud."""
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) < n_bins * 2:
        n_bins = max(len(x) // 2, 1)
    if len(x) == 0:
        return []
    order = np.argsort(x, kind="stable")
    out = []
    for chunk in np.array_split(order, n_bins):
        if len(chunk) == 0:
            continue
        ci = weighted_mean_ci_arrays(np.ones(len(chunk)), y[chunk])
        out.append(Bin(float(np.median(x[chunk])), float(ci.mean or 0.0), ci.low, ci.high, ci.n))
    return out


def even_sample(n: int, limit: int) -> np.ndarray:
    """Indices of at most ``limit`` rows spread evenly over n (deterministic downsampling)."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(int))


@dataclass(frozen=True)
class GroupTest:
    a: str
    b: str
    n_a: int
    n_b: int
    median_a: float
    median_b: float
    u: float
    p_value: float
    sentence: str


def mann_whitney(
    name_a: str, values_a: np.ndarray, name_b: str, values_b: np.ndarray, *, unit: str = "bps"
) -> GroupTest | None:
    """Two-sided Mann-Whitney U test of two groups' order costs, stated in words."""
    a = values_a[np.isfinite(values_a)]
    b = values_b[np.isfinite(values_b)]
    if len(a) < 3 or len(b) < 3:
        return None
    result = sps.mannwhitneyu(a, b, alternative="two-sided")
    u, p = float(result.statistic), float(result.pvalue)
    med_a, med_b = float(np.median(a)), float(np.median(b))
    cheaper = name_a if med_a < med_b else name_b
    if p < 0.05:
        verdict = (
            f"The difference is statistically significant at the 5 % level ({_p(p)}): "
            f"orders through {cheaper} tended to cost less."
        )
    else:
        verdict = (
            f"The difference is not statistically significant at the 5 % level ({_p(p)}): "
            "these data do not show that either one costs less."
        )
    sentence = (
        f"Median cost: {name_a} {med_a:,.1f} {unit} over {len(a):,} orders, "
        f"{name_b} {med_b:,.1f} {unit} over {len(b):,} orders. "
        f"Mann-Whitney U = {u:,.0f}. {verdict}"
    )
    return GroupTest(name_a, name_b, len(a), len(b), med_a, med_b, u, p, sentence)


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
