"""Pre-trade settings with defaults; override any of them in ``FOOTPRINT_PRETRADE``.

Example: ``FOOTPRINT_PRETRADE = {"participation": {"aggressive": 0.25}}``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from models_app.impact.pretrade import Plan


@dataclass(frozen=True)
class PretradeConf:
    # Participation targets (share of market volume) of the three scheduled strategies.
    participation: dict[str, float] = field(
        default_factory=lambda: {"aggressive": 0.30, "balanced": 0.10, "passive": 0.03}
    )
    # Share of the order each strategy expects to fill passively (resting at the touch).
    passive_share: dict[str, float] = field(
        default_factory=lambda: {"aggressive": 0.10, "balanced": 0.40, "passive": 0.70}
    )
    threshold_bps: float = 10.0  # P(cost > threshold) when the request names none
    risk_aversion: float = 1e-3  # λ (per bps) of the optimal schedule when none is given
    frontier_points: int = 50
    quote_lookback_sessions: int = 10  # sessions searched back for a quote before the start
    profile_sessions: int = 20  # past sessions averaged into the intraday volume profile
    match_window_minutes: float = 30.0  # an order arriving this close to an estimate's start

    def plans(self) -> list[Plan]:
        return [
            Plan(name, self.participation[name], self.passive_share[name])
            for name in ("aggressive", "balanced", "passive")
        ]


def pretrade_conf() -> PretradeConf:
    overrides: dict[str, Any] = dict(getattr(settings, "FOOTPRINT_PRETRADE", {}) or {})
    known = {f.name for f in dataclasses.fields(PretradeConf)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"FOOTPRINT_PRETRADE: unknown setting(s) {', '.join(sorted(unknown))}")
    base = PretradeConf()
    for name in ("participation", "passive_share"):
        if name in overrides:
            overrides[name] = {**getattr(base, name), **overrides[name]}
    return dataclasses.replace(base, **overrides)
