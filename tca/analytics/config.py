"""Settings of a TCA run and the fixed names the rest of the project stores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

COST_NAMES: tuple[str, ...] = (
    "is",
    "delay",
    "execution",
    "opportunity",
    "fees",
    "spread",
    "temporary_impact",
    "permanent_impact",
    "adverse_selection",
)
BENCHMARK_NAMES: tuple[str, ...] = (
    "arrival",
    "vwap",
    "twap",
    "open",
    "close",
    "previous_close",
    "pwp",
)
DEFAULT_MARKOUT_HORIZONS: tuple[timedelta, ...] = (
    timedelta(seconds=-60),
    timedelta(0),
    timedelta(seconds=1),
    timedelta(seconds=10),
    timedelta(seconds=60),
    timedelta(minutes=5),
    timedelta(minutes=30),
)
# Upper edges of the size buckets on X / ADV20; the last bucket is open-ended.
SIZE_BUCKET_EDGES: tuple[float, ...] = (0.005, 0.01, 0.05, 0.10)
SIZE_BUCKET_LABELS: tuple[str, ...] = ("<0.5%", "0.5-1%", "1-5%", "5-10%", ">10%")


@dataclass(frozen=True)
class TcaConfig:
    """Every tunable of the engine in one immutable value, so a result can name its settings.

    staleness: a mid older than this at the probe time is missing, never reused.
    post_horizon: H in P_post = mid(t_e + H), clipped to the session close.
    markout_horizons: h in markout(h); negative values look before the fill.
    pwp_rate: participation rate of the participation-weighted price benchmark.
    history_days: length of the ADV / volatility window in trading days.
    min_sigma_returns: fewer prior daily returns than this leave σ missing.
    regime_vol_bounds: annualised σ bounds between the low_vol / normal / high_vol regimes.
    clip_markouts_to_close: clip positive markout horizons to the session close like H.
    """

    staleness: timedelta = timedelta(minutes=5)
    post_horizon: timedelta = timedelta(minutes=30)
    markout_horizons: tuple[timedelta, ...] = DEFAULT_MARKOUT_HORIZONS
    pwp_rate: float = 0.10
    history_days: int = 20
    min_sigma_returns: int = 5
    regime_vol_bounds: tuple[float, float] = (0.15, 0.40)
    clip_markouts_to_close: bool = True

    def __post_init__(self) -> None:
        if self.staleness <= timedelta(0):
            raise ValueError("staleness must be positive")
        if self.post_horizon < timedelta(0):
            raise ValueError("post_horizon must not be negative")
        if not 0.0 < self.pwp_rate <= 1.0:
            raise ValueError("pwp_rate must be in (0, 1]")
        if self.history_days < 2 or not 2 <= self.min_sigma_returns <= self.history_days:
            raise ValueError("need 2 <= min_sigma_returns <= history_days")
        labels = [horizon_label(h) for h in self.markout_horizons]
        if len(set(labels)) != len(labels):
            raise ValueError("markout horizons must be distinct")


def to_ns(delta: timedelta) -> int:
    """A timedelta as integer nanoseconds (timedelta itself stops at microseconds)."""
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


def horizon_label(delta: timedelta) -> str:
    """Column-safe name of a horizon: -60 s -> 'm60s', 0 -> '0s', 0.5 s -> '500ms'."""
    ns = to_ns(delta)
    sign = "m" if ns < 0 else ""
    ns = abs(ns)
    if ns % 1_000_000_000 == 0:
        return f"{sign}{ns // 1_000_000_000}s"
    if ns % 1_000_000 == 0:
        return f"{sign}{ns // 1_000_000}ms"
    return f"{sign}{ns}ns"


def markout_column(delta: timedelta) -> str:
    """Name of the markout column of one horizon, e.g. 'markout_m60s', 'markout_300s'."""
    return f"markout_{horizon_label(delta)}"
