"""Order tables with known impact parameters, for the estimator tests (no simulator)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from models_app.impact.table import conform_table

SESSION_S = 390 * 60.0


def almgren_table(
    n: int = 4000,
    *,
    gamma: float = 0.314,
    eta: float = 0.142,
    beta: float = 0.6,
    adverse: float = 0.02,
    noise: float = 0.3,
    days: int = 20,
    seed: int = 0,
) -> pl.DataFrame:
    """Orders whose costs follow the Almgren form, plus price noise ∝ σ·√(time exposed)."""
    rng = np.random.default_rng(seed)
    sigma = np.exp(rng.normal(np.log(0.02), 0.3, n))
    size = np.clip(0.005 * np.exp(rng.normal(0, 1.0, n)), 1e-4, 0.2)
    duration_s = np.exp(rng.uniform(np.log(300), np.log(SESSION_S * 0.8), n))
    t_days = duration_s / SESSION_S
    spread = np.exp(rng.normal(np.log(5), 0.4, n))
    passive = rng.uniform(0, 1, n)
    s_bps = sigma * 1e4
    perm = (gamma * size + adverse) * s_bps
    temp = eta * s_bps * (size / t_days) ** beta
    spread_cost = 0.5 * spread * (1 - passive) - 0.5 * spread * passive
    persistent = perm + noise * s_bps * np.sqrt(t_days + 30 / 390) * rng.standard_normal(n)
    j = temp + perm / 2 + noise * s_bps * np.sqrt(t_days / 3) * rng.standard_normal(n)
    start = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    day = rng.integers(0, days, n)
    arrival = [
        start + dt.timedelta(days=int(d), seconds=int(s))
        for d, s in zip(day, rng.uniform(0, 3600, n), strict=True)
    ]
    frame = pl.DataFrame(
        {
            "order_id": [f"S{i:06d}" for i in range(n)],
            "symbol": rng.choice(["AAA", "BBB", "CCC"], n),
            "trade_date": [a.date() for a in arrival],
            "arrival_time": pl.Series(arrival).cast(pl.Datetime("ns", "UTC")),
            "side": rng.choice([-1, 1], n),
            "broker": rng.choice(["B1", "B2"], n),
            "algo": rng.choice(["VWAP", "POV"], n),
            "executed_qty": np.full(n, 1000.0),
            "fill_rate": np.ones(n),
            "participation": np.clip(size / t_days, 0, 1),
            "size_adv": size,
            "volatility": sigma,
            "adv20": np.full(n, 1e6),
            "arrival_spread_bps": spread,
            "duration_s": duration_s,
            "passive_share": passive,
            "time_of_day": rng.uniform(0.05, 0.9, n),
            "session_minutes": np.full(n, 390.0),
            "minutes_since_open": rng.uniform(30, 300, n),
            "recent_vol": sigma * np.exp(rng.normal(0, 0.2, n)),
            "recent_volume": np.exp(rng.normal(0, 0.3, n)),
            "depth_adv": np.exp(rng.normal(np.log(3e-4), 0.4, n)),
            "spread_cost_bps": spread_cost,
            "permanent_bps": persistent,
            "temporary_bps": j - persistent,
            "total_bps": spread_cost + j,
            "expected_bps": spread_cost + temp + perm / 2,
        }
    )
    return conform_table(frame).join(frame.select("order_id", "expected_bps"), on="order_id")
