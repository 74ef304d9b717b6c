"""Almgren & Chriss (2000), "Optimal execution of portfolio transactions", discrete time.

Selling (or buying) ``X`` shares over ``N`` periods of length ``τ = T/N``
with holdings ``x_0 = X … x_N = 0`` and trades ``n_k = x_{k-1} − x_k``. The
price follows an arithmetic random walk with linear permanent impact
``g(v) = γ·v`` and a linear temporary impact ``h(v) = ε·sgn(n) + η·v``; then

- expected cost ``E = ½γX² + εΣ|n_k| + (η̃/τ)·Σn_k²`` with ``η̃ = η − ½γτ``,
- variance ``V = σ²·τ·Σ_{k=1..N} x_k²``,

and the trajectory minimising ``E + λV`` is
``x_k = X·sinh(κ(T − t_k)) / sinh(κT)`` with ``κ`` solving
``(2/τ²)(cosh(κτ) − 1) = λσ²/η̃``.

Units are per share and per unit of time (days here): σ in price per √day,
γ in price per share, η in price per (share per day), ε in price per share.
Positive cost means the trade paid more than the pre-trade price, for a buy
or a sell alike (the model is symmetric in the side).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ExecutionProblem:
    shares: float  # X > 0
    horizon: float  # T, days
    periods: int  # N ≥ 1
    sigma: float  # price volatility per √day
    gamma: float  # permanent impact, price per share traded
    eta: float  # temporary impact, price per (share per day)
    epsilon: float = 0.0  # fixed cost per share (half the spread)

    def __post_init__(self) -> None:
        if not (self.shares > 0 and self.horizon > 0 and self.periods >= 1):
            raise ValueError("shares and horizon must be positive and periods at least 1")
        if min(self.sigma, self.gamma, self.eta, self.epsilon) < 0:
            raise ValueError("sigma, gamma, eta and epsilon must be non-negative")
        if self.eta_tilde <= 0:
            raise ValueError(
                "η̃ = η − γτ/2 must be positive: use more, shorter periods or a larger η"
            )

    @property
    def tau(self) -> float:
        return self.horizon / self.periods

    @property
    def eta_tilde(self) -> float:
        return self.eta - 0.5 * self.gamma * self.tau

    @property
    def times(self) -> np.ndarray:
        """t_k = kτ for k = 0..N."""
        return np.arange(self.periods + 1) * self.tau


def kappa(problem: ExecutionProblem, risk_aversion: float) -> float:
    """κ from cosh(κτ) = 1 + ½·κ̃²τ², κ̃² = λσ²/η̃ (0 for a risk-neutral trader)."""
    if risk_aversion < 0:
        raise ValueError("risk aversion must be non-negative")
    tau = problem.tau
    k_tilde2 = risk_aversion * problem.sigma**2 / problem.eta_tilde
    return math.acosh(1.0 + 0.5 * k_tilde2 * tau * tau) / tau


def risk_aversion_for(problem: ExecutionProblem, k: float) -> float:
    """The λ whose optimal trajectory has urgency κ (inverse of ``kappa``)."""
    tau = problem.tau
    k_tilde2 = 2.0 * (math.cosh(k * tau) - 1.0) / (tau * tau)
    return k_tilde2 * problem.eta_tilde / problem.sigma**2 if problem.sigma > 0 else math.inf


def optimal_holdings(problem: ExecutionProblem, risk_aversion: float) -> np.ndarray:
    """x_0 … x_N of the optimal trajectory; linear (TWAP) when κT is negligible.

    sinh(κ(T−t))/sinh(κT) is evaluated as e^{−κt}(1 − e^{−2κ(T−t)})/(1 − e^{−2κT})
    so that very urgent trajectories (κT in the hundreds) do not overflow.
    """
    k = kappa(problem, risk_aversion)
    t, horizon = problem.times, problem.horizon
    if k * horizon < 1e-9:
        return linear_holdings(problem)
    rest = horizon - t
    ratio = np.exp(-k * t) * -np.expm1(-2.0 * k * rest) / -math.expm1(-2.0 * k * horizon)
    ratio[-1] = 0.0
    return problem.shares * ratio


def linear_holdings(problem: ExecutionProblem) -> np.ndarray:
    """TWAP: equal trades in every period (the λ → 0 limit)."""
    return problem.shares * (1.0 - np.arange(problem.periods + 1) / problem.periods)


def immediate_holdings(problem: ExecutionProblem) -> np.ndarray:
    """Everything in the first period (the λ → ∞ limit): no risk, the most impact."""
    x = np.zeros(problem.periods + 1)
    x[0] = problem.shares
    return x


def trade_list(holdings: np.ndarray) -> np.ndarray:
    """n_k = x_{k-1} − x_k for k = 1..N."""
    return -np.diff(holdings)


@dataclass(frozen=True)
class CostMoments:
    expected: float  # E, price × shares
    variance: float  # V, (price × shares)²
    permanent: float  # ½γX²
    fixed: float  # εΣ|n|
    temporary: float  # (η̃/τ)Σn²


def cost_moments(problem: ExecutionProblem, holdings: np.ndarray) -> CostMoments:
    """E and V of any trajectory from x_0 = X to x_N = 0 (the paper's sums)."""
    n = trade_list(holdings)
    permanent = 0.5 * problem.gamma * problem.shares**2
    fixed = problem.epsilon * float(np.abs(n).sum())
    temporary = problem.eta_tilde / problem.tau * float(n @ n)
    variance = problem.sigma**2 * problem.tau * float(holdings[1:] @ holdings[1:])
    return CostMoments(permanent + fixed + temporary, variance, permanent, fixed, temporary)


@dataclass(frozen=True)
class Frontier:
    risk_aversion: np.ndarray
    kappa: np.ndarray
    expected: np.ndarray
    variance: np.ndarray


def efficient_frontier(problem: ExecutionProblem, points: int = 50) -> Frontier:
    """(E, V) of the optimal trajectories from nearly linear to nearly immediate.

    The range is spaced in urgency κT (0.01 … 3N, about where the first
    period already holds 95 % of the order), which spreads the points evenly
    along the curve; λ is derived from each κ.
    """
    urgencies = np.geomspace(0.01, 3.0 * problem.periods, points) / problem.horizon
    lambdas = np.array([risk_aversion_for(problem, k) for k in urgencies])
    t, horizon, x0 = problem.times, problem.horizon, problem.shares
    # All trajectories at once: rows are κ, columns t_k.
    k = urgencies[:, None]
    x = x0 * np.exp(-k * t) * -np.expm1(-2.0 * k * (horizon - t)) / -np.expm1(-2.0 * k * horizon)
    x[:, -1] = 0.0
    n = -np.diff(x, axis=1)
    expected = (
        0.5 * problem.gamma * x0**2
        + problem.epsilon * np.abs(n).sum(axis=1)
        + problem.eta_tilde / problem.tau * (n * n).sum(axis=1)
    )
    variance = problem.sigma**2 * problem.tau * (x[:, 1:] ** 2).sum(axis=1)
    return Frontier(lambdas, urgencies, expected, variance)


def simulate_costs(
    problem: ExecutionProblem, holdings: np.ndarray, *, paths: int, seed: int = 0
) -> np.ndarray:
    """Realised costs of a trajectory on Monte Carlo paths of the paper's price model.

    S_k = S_{k-1} + σ√τ·ξ_k − τ·g(n_k/τ); the k-th trade is done at
    S_{k-1} − h(n_k/τ) (a sale; a purchase mirrors it). Cost = X·S_0 − Σ n_k·S̃_k.
    Used by the tests to check E and V; vectorised over paths.
    """
    rng = np.random.default_rng(seed)
    n = trade_list(holdings)
    tau = problem.tau
    xi = rng.standard_normal((paths, problem.periods))
    steps = problem.sigma * math.sqrt(tau) * xi - problem.gamma * n  # τ·g(n/τ) = γn
    before = np.concatenate([np.zeros((paths, 1)), np.cumsum(steps, axis=1)[:, :-1]], axis=1)
    temporary = problem.epsilon * np.sign(n) + problem.eta * n / tau
    received = (n * (before - temporary)).sum(axis=1)  # relative to S_0
    return -received
