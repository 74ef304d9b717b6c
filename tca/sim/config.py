"""Simulation settings: one frozen dataclass and the three size presets.

Everything that shapes a data set lives here, so that a config plus its seed
reproduces the data set bit for bit and ``params.json`` can record it whole.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

STRATEGIES = ("twap", "vwap", "pov", "seek", "limit", "aggressive", "balanced", "passive")
"""Execution strategies; the last three are the SPEC's pre-trade profiles."""

PRESETS: dict[str, dict[str, Any]] = {
    # Unit tests: a few seconds at most.
    "small": {
        "n_days": 5,
        "n_instruments": 5,
        "orders_per_day": 8.0,
        "quotes_per_day": 1500.0,
        "trades_per_day": 600.0,
    },
    # The `demo` command: a few thousand orders over a month of 20 names.
    "demo": {},
    # Benchmarks: one day, ~2 million fills and ~20 million quotes.
    "large": {
        "n_days": 1,
        "n_instruments": 500,
        "orders_per_day": 20.0,
        "quotes_per_day": 46000.0,
        "trades_per_day": 10000.0,
        "child_interval_s": 14.0,
    },
}


@dataclass(frozen=True)
class SimConfig:
    """What the simulator builds; equal configs give identical data sets.

    Fractions of volume are of the instrument's average daily volume (ADV);
    volatilities are daily, as fractions (0.02 = 2 %).
    """

    seed: int = 0
    n_days: int = 20
    n_instruments: int = 20
    start_date: date = date(2026, 3, 2)
    timezone: str = "America/New_York"
    session_open: str = "09:30"
    session_close: str = "16:00"
    currency: str = "USD"

    # Market
    adv_range: tuple[float, float] = (3e5, 3e7)
    price_range: tuple[float, float] = (8.0, 400.0)
    daily_vol_median: float = 0.02
    quotes_per_day: float = 2500.0
    trades_per_day: float = 1200.0
    regime_probs: tuple[float, float, float] = (0.6, 0.3, 0.1)  # calm, volatile, news

    # Our parent orders
    orders_per_day: float = 8.0  # per instrument and day
    order_size_adv: float = 0.005  # median order size as a fraction of ADV
    order_size_dispersion: float = 1.0  # log-normal sigma of the order size
    max_order_size_adv: float = 0.2
    child_interval_s: float = 60.0
    strategy_mix: tuple[float, ...] = (0.15, 0.2, 0.12, 0.1, 0.1, 0.1, 0.13, 0.1)
    delay_share: float = 0.3  # orders whose decision precedes arrival
    cancel_share: float = 0.05
    passive_fill_prob: float = 0.6  # chance that a resting LIMIT slice fills

    # Price impact (Almgren et al. 2005 without the turnover term)
    gamma: float = 0.314
    eta: float = 0.142
    beta: float = 0.6
    half_life_s: float = 180.0
    impact_noise: float = 0.25  # log-normal sigma of per-order impact scale at noise=1
    noise: float = 1.0  # scale of every price move our orders do not cause
    informed_share: float = 0.15
    informed_alpha: float = 0.1  # mean drift against informed-against orders, in daily sigmas

    fix_orders: int = 5  # orders whose fills also go to the FIX log

    def __post_init__(self) -> None:
        problems = self._problems()
        if problems:
            raise ValueError("; ".join(problems))

    def _problems(self) -> list[str]:
        problems = []
        if self.n_days < 1 or self.n_instruments < 1:
            problems.append("n_days and n_instruments must be at least 1")
        if len(self.strategy_mix) != len(STRATEGIES) or min(self.strategy_mix) < 0:
            problems.append(f"strategy_mix needs {len(STRATEGIES)} non-negative weights")
        if sum(self.strategy_mix) <= 0:
            problems.append("strategy_mix must not be all zero")
        if len(self.regime_probs) != 3 or min(self.regime_probs) < 0:
            problems.append("regime_probs needs 3 non-negative weights")
        if abs(sum(self.regime_probs) - 1.0) > 1e-9:
            problems.append("regime_probs must sum to 1")
        if self.half_life_s < 1.0:
            problems.append("half_life_s must be at least 1 second")
        if not 0.0 < self.beta <= 2.0:
            problems.append("beta must be in (0, 2]")
        if min(self.gamma, self.eta, self.noise, self.impact_noise, self.informed_alpha) < 0:
            problems.append("gamma, eta, noise, impact_noise and informed_alpha must be >= 0")
        for name in ("informed_share", "delay_share", "cancel_share", "passive_fill_prob"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                problems.append(f"{name} must be in [0, 1]")
        if self.child_interval_s <= 0 or self.orders_per_day < 0:
            problems.append("child_interval_s must be > 0 and orders_per_day >= 0")
        if self.quotes_per_day < 1 or self.trades_per_day < 1:
            problems.append("quotes_per_day and trades_per_day must be >= 1")
        return problems

    @classmethod
    def preset(cls, name: str = "demo", **overrides: Any) -> SimConfig:
        """A named size preset, with any field overridden (``seed=7``, ``noise=0`` ...)."""
        if name not in PRESETS:
            raise ValueError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}")
        return cls(**{**PRESETS[name], **overrides})

    def replace(self, **changes: Any) -> SimConfig:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready field values (dates as ISO text, tuples as lists)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out
