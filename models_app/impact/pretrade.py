"""Pre-trade estimates (SPEC §4): cost distributions per strategy, with a fallback.

Nothing here touches the database: the Django service measures the market
inputs as of the start time and hands over the model candidates; this module
builds the order-table rows a strategy implies, asks the first candidate that
can answer, and solves the Almgren-Chriss schedule for ``optimal``.

Fallback (the risk overlay): a candidate is skipped, with the reason kept,
when it cannot be loaded, raises, returns a non-finite value, or, for the
learned models, when an input lies outside the range it was trained on.
Parametric laws are not range-checked: they are meant to extrapolate.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy.stats import norm

from tca.analytics.volume_profile import session_time_for_volume

from .almgren_chriss import (
    ExecutionProblem,
    cost_moments,
    efficient_frontier,
    immediate_holdings,
    linear_holdings,
    optimal_holdings,
    trade_list,
)
from .model import PARAMETRIC, QUANTILES
from .signals import PREFIX
from .table import table_schema

STRATEGIES = ("aggressive", "balanced", "passive", "optimal")
# Published coefficients (Almgren, Thum, Hauptmann & Li 2005) when no fit exists.
PUBLISHED_ALMGREN = {"gamma": 0.314, "eta": 0.142, "beta": 0.6, "adverse": 0.0,
                     "spread_aggressive": 0.5}  # fmt: skip
SLICE_MINUTES = 5.0
MAX_PERIODS = 400


@dataclass(frozen=True)
class Plan:
    """How a strategy works the order: its participation target and passive share."""

    name: str
    participation: float
    passive_share: float


@dataclass(frozen=True)
class MarketInputs:
    """What was known at the start time (each with where it came from)."""

    price: float  # last mid strictly before the start
    adv20: float  # shares per day
    sigma20: float  # daily volatility, fraction
    spread_bps: float
    session_seconds: float
    start_fraction: float  # share of the session elapsed at the start
    profile: np.ndarray  # intraday volume profile (sums to 1)
    # STATE_COLUMNS and the configured signals (signal:<name>) at the start
    state: dict[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    symbol: str
    side: int  # +1 buy, −1 sell
    quantity: float
    start: dt.datetime
    horizon_s: float
    threshold_bps: float = 10.0
    risk_aversion: float = 1e-3  # λ per bps: the schedule minimises E + λ·V with both in bps
    periods: int | None = None  # Almgren-Chriss slices; default one per SLICE_MINUTES


@dataclass
class Candidate:
    """A model that may answer: ``load`` returns an object with ``predict(table, threshold)``."""

    label: str  # the version name shown to users
    kind: str
    load: Callable[[], Any]
    ranges: dict[str, list[float]] | None = None


@dataclass
class Answer:
    predictions: pl.DataFrame
    used: Candidate | None
    reasons: list[str]


def plan_duration(plan: Plan, request: Request, market: MarketInputs) -> float:
    """Seconds of session time the plan needs at its participation target."""
    volume = request.quantity / (plan.participation * market.adv20)
    return session_time_for_volume(market.profile, market.start_fraction, volume) * (
        market.session_seconds
    )


def strategy_rows(
    request: Request, market: MarketInputs, plans: list[Plan], durations: list[float]
) -> pl.DataFrame:
    """The order-table rows the plans imply, one per plan, as the models expect them.

    Built straight in the table's schema (what ``conform_table`` would give, rows
    in its order): a request is a few rows, where casting and sorting cost more
    than the model.
    """
    pairs = sorted(zip(plans, durations, strict=True), key=lambda pd: f"pretrade-{pd[0].name}")
    n = len(pairs)
    known = {
        "order_id": [f"pretrade-{p.name}" for p, _ in pairs],
        "symbol": [request.symbol] * n,
        "trade_date": [request.start.date()] * n,
        "arrival_time": [request.start] * n,
        "side": [request.side] * n,
        "executed_qty": [request.quantity] * n,
        "fill_rate": [1.0] * n,
        "participation": [p.participation for p, _ in pairs],
        "size_adv": [request.quantity / market.adv20] * n,
        "volatility": [market.sigma20] * n,
        "adv20": [market.adv20] * n,
        "arrival_spread_bps": [market.spread_bps] * n,
        "duration_s": [d for _, d in pairs],
        "passive_share": [p.passive_share for p, _ in pairs],
        "time_of_day": [market.start_fraction] * n,
        **{k: [v] * n for k, v in market.state.items()},
    }
    schema = table_schema() | {k: pl.Float64() for k in market.state if k.startswith(PREFIX)}
    data = {
        name: [None if isinstance(v, float) and math.isnan(v) else v for v in known[name]]
        if name in known
        else [None] * n
        for name in schema
    }
    return pl.DataFrame(data, schema=schema)


def range_violations(rows: pl.DataFrame, ranges: dict[str, list[float]] | None) -> list[str]:
    """'name value outside [lo, hi]' for every checked input beyond its training range."""
    out = []
    for name, (lo, hi) in (ranges or {}).items():
        if name not in rows.columns:
            continue
        for value in rows[name].drop_nulls().to_list():
            if not lo <= value <= hi:
                out.append(f"{name} {value:.4g} outside the training range [{lo:.4g}, {hi:.4g}]")
                break
    return out


def estimate_with_fallback(
    rows: pl.DataFrame, candidates: list[Candidate], threshold_bps: float
) -> Answer:
    """Predictions from the first candidate that can answer, and why earlier ones could not."""
    reasons: list[str] = []
    for candidate in candidates:
        try:
            model = candidate.load()
        except Exception as exc:
            reasons.append(f"{candidate.label}: could not be loaded ({exc})")
            continue
        if candidate.kind not in PARAMETRIC:
            outside = range_violations(rows, candidate.ranges)
            if outside:
                reasons.append(f"{candidate.label}: " + "; ".join(outside))
                continue
        try:
            preds = model.predict(rows, threshold_bps)
        except Exception as exc:
            reasons.append(f"{candidate.label}: prediction failed ({exc})")
            continue
        numbers = preds.select(pl.col(pl.Float64)).to_numpy()
        if preds.height != rows.height or not np.isfinite(numbers).all():
            reasons.append(f"{candidate.label}: returned a non-finite or missing value")
            continue
        return Answer(preds, candidate, reasons)
    return Answer(pl.DataFrame(), None, reasons)


# -- Almgren-Chriss -------------------------------------------------------------------


def execution_problem(
    request: Request, market: MarketInputs, params: dict[str, float]
) -> ExecutionProblem:
    """The per-share problem from the calibrated Almgren form (bps of notional, σ per day).

    - σ (price per √day) = σ20·P;
    - γ (price per share) = γ_fit·σ20·P/ADV20: the permanent move γ_fit·σ20·X/ADV20 of the fit;
    - η (price per share per day) = η_fit·σ20·P·(v/ADV20)^β / v at the plan's mean rate
      v = X/T: the fit's temporary cost at that rate, exact when β = 1;
    - ε = the fit's aggressive spread coefficient × the quoted spread (price per share).
    Periods: one per SLICE_MINUTES (at least 2), more if η̃ would not be positive.
    """
    days = request.horizon_s / market.session_seconds
    x, p, sig, adv = request.quantity, market.price, market.sigma20, market.adv20
    rate = x / days
    gamma = params["gamma"] * sig * p / adv
    eta = params["eta"] * sig * p * (rate / adv) ** params["beta"] / rate
    spread_coef = min(max(params.get("spread_aggressive", 0.5), 0.0), 1.0)
    epsilon = spread_coef * market.spread_bps * 1e-4 * p
    periods = request.periods or max(2, round(request.horizon_s / 60 / SLICE_MINUTES))
    while True:
        periods = min(periods, MAX_PERIODS)
        if eta - 0.5 * gamma * days / periods > 0 or periods == MAX_PERIODS:
            return ExecutionProblem(x, days, periods, sig * p, gamma, eta, epsilon)
        periods *= 2


def _normal_summary(expected_bps: float, std_bps: float, threshold_bps: float) -> dict[str, float]:
    if std_bps > 0:
        q = [float(norm.ppf(p, expected_bps, std_bps)) for p in QUANTILES]
        exceed = float(norm.sf(threshold_bps, expected_bps, std_bps))
    else:
        q = [expected_bps] * 3
        exceed = float(expected_bps > threshold_bps)
    return {"std_bps": std_bps, "q05_bps": q[0], "q50_bps": q[1], "q95_bps": q[2],
            "p_exceed": exceed}  # fmt: skip


def optimal_schedule(
    request: Request, market: MarketInputs, params: dict[str, float], frontier_points: int = 50
) -> dict[str, Any]:
    """The optimal trajectory for λ, its cost in bps, the frontier, TWAP and immediate.

    Costs in bps of X·P. The row's split follows the cost models' targets:
    permanent = the persistent move γX² (+ the fit's average adverse drift
    a·σ, which does not depend on the schedule), temporary = the rest of E
    beyond the spread; so spread + temporary + permanent = E. Its
    distribution is Normal(E, V), the model's arithmetic random walk. λ is
    given per bps, so one value means the same urgency for any order size.
    """
    problem = execution_problem(request, market, params)
    notional = request.quantity * market.price
    bps = 1e4 / notional
    adverse = params.get("adverse", 0.0) * market.sigma20 * 1e4

    def summary(holdings: np.ndarray) -> dict[str, float]:
        m = cost_moments(problem, holdings)
        expected = m.expected * bps + adverse
        return {"expected_bps": expected, "std_bps": math.sqrt(m.variance) * bps,
                "variance_bps2": m.variance * bps * bps}  # fmt: skip

    # λ per bps (E + λV in bps) is λ·1e4/(X·P) per unit of currency (E + λV in currency).
    holdings = optimal_holdings(problem, request.risk_aversion * bps)
    moments = cost_moments(problem, holdings)
    expected = moments.expected * bps + adverse
    std = math.sqrt(moments.variance) * bps
    permanent = 2 * moments.permanent * bps + adverse
    spread = moments.fixed * bps
    frontier = efficient_frontier(problem, frontier_points)
    times = problem.times * market.session_seconds
    return {
        "row": {
            "temporary_bps": expected - spread - permanent,
            "permanent_bps": permanent,
            "total_bps": expected,
            **_normal_summary(expected, std, request.threshold_bps),
            "duration_s": request.horizon_s,
        },
        "risk_aversion": request.risk_aversion,
        "expected_bps": expected,
        "variance_bps2": moments.variance * bps * bps,
        "coefficients": {
            "sigma": problem.sigma,
            "gamma": problem.gamma,
            "eta": problem.eta,
            "eta_tilde": problem.eta_tilde,
            "epsilon": problem.epsilon,
            "tau_days": problem.tau,
            "periods": problem.periods,
            "horizon_days": problem.horizon,
        },
        "schedule": {
            "offset_s": times.tolist(),
            "holdings": holdings.tolist(),
            "trades": [0.0, *trade_list(holdings).tolist()],
        },
        "frontier": {
            "risk_aversion": (frontier.risk_aversion / bps).tolist(),
            "expected_bps": (frontier.expected * bps + adverse).tolist(),
            "variance_bps2": (frontier.variance * bps * bps).tolist(),
        },
        "twap": summary(linear_holdings(problem)),
        "immediate": summary(immediate_holdings(problem)),
    }
