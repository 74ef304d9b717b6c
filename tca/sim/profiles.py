"""Intraday shapes: where in the session volume, variance, spread and depth sit.

``u`` is the fraction of the session elapsed (0 at the open, 1 at the close).
Volume and variance are U-shaped (busy open, quieter midday, busy close);
spreads are widest and books thinnest just after the open. A scheduled news
event adds an exponentially decaying burst on top of the day's base shape.
Event times are drawn by inverting cumulative intensities tabulated on a grid,
so sampling millions of events is a handful of vectorised calls.
"""

from __future__ import annotations

import numpy as np

GRID = np.linspace(0.0, 1.0, 4097)


def volume_intensity(u: np.ndarray) -> np.ndarray:
    return 1.0 + 2.5 * np.exp(-u / 0.05) + 1.2 * np.exp(-(1.0 - u) / 0.05)


def variance_intensity(u: np.ndarray) -> np.ndarray:
    return 1.0 + 3.0 * np.exp(-u / 0.04) + 0.8 * np.exp(-(1.0 - u) / 0.05)


def spread_factor(u: np.ndarray) -> np.ndarray:
    return 1.0 + 1.5 * np.exp(-u / 0.02) + 0.15 * np.exp(-(1.0 - u) / 0.02)


def depth_factor(u: np.ndarray) -> np.ndarray:
    return 1.0 - 0.6 * np.exp(-u / 0.03)


def _cdf(intensity: np.ndarray) -> np.ndarray:
    steps = 0.5 * (intensity[1:] + intensity[:-1]) * np.diff(GRID)
    cum = np.concatenate([[0.0], np.cumsum(steps)])
    return cum / cum[-1]


VOLUME_CDF = _cdf(volume_intensity(GRID))
VARIANCE_CDF = _cdf(variance_intensity(GRID))


def base_cdf(cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    return np.interp(u, GRID, cdf)


def burst_shape(u: np.ndarray, start: np.ndarray, width: float) -> np.ndarray:
    """1 at the event, decaying with ``width``; 0 before it and where ``start`` is NaN."""
    after = u >= start
    return np.where(after, np.exp(-np.where(after, u - start, 0.0) / width), 0.0)


def burst_cdf(u: np.ndarray, start: np.ndarray, width: float) -> np.ndarray:
    """Share of a burst (exponential from ``start``, cut at the close) elapsed by ``u``."""
    elapsed = np.clip(u - start, 0.0, None)
    total = 1.0 - np.exp(-(1.0 - start) / width)
    return (1.0 - np.exp(-elapsed / width)) / total


def sorted_uniforms(counts: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``counts[s]`` sorted uniforms in (0, 1) for each segment ``s``, segment-major.

    Normalised partial sums of exponentials are distributed as uniform order
    statistics, so no sort is needed.
    """
    counts = counts.astype(np.int64)
    per = counts + 1
    ends = np.cumsum(per) - 1
    starts = ends - per + 1
    draws = rng.standard_exponential(int(per.sum()))
    cum = np.cumsum(draws)
    before = np.concatenate([[0.0], cum])[starts]
    seg = np.repeat(np.arange(counts.size), per)
    local = cum - before[seg]
    keep = np.ones(draws.size, dtype=bool)
    keep[ends] = False
    seg_kept = seg[keep]
    return seg_kept, local[keep] / local[ends][seg_kept]


def sample_times(
    counts: np.ndarray,
    cdf: np.ndarray,
    rng: np.random.Generator,
    *,
    burst_start: np.ndarray,
    burst_weight: float,
    width: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted session fractions per segment from a base shape plus an optional burst.

    Segments with a finite ``burst_start`` put ``burst_weight`` of their events
    in the burst; their mixed CDF is inverted one segment at a time (news days
    are few).
    """
    seg, u = sorted_uniforms(counts, rng)
    out = np.interp(u, cdf, GRID)
    news = np.flatnonzero(np.isfinite(burst_start) & (counts > 0))
    if news.size:
        bounds = np.searchsorted(seg, np.stack([news, news + 1]), side="left")
        for s, lo, hi in zip(news, bounds[0], bounds[1], strict=True):
            mixed = (1.0 - burst_weight) * cdf + burst_weight * burst_cdf(
                GRID, burst_start[s], width
            )
            out[lo:hi] = np.interp(u[lo:hi], mixed, GRID)
    return seg, out
