"""Almgren-Chriss trajectories against hand-computed values, limits and a Monte Carlo."""

from __future__ import annotations

import math

import numpy as np
import pytest

from models_app.impact.almgren_chriss import (
    ExecutionProblem,
    cost_moments,
    efficient_frontier,
    immediate_holdings,
    kappa,
    linear_holdings,
    optimal_holdings,
    risk_aversion_for,
    simulate_costs,
    trade_list,
)

# X = 1000 shares over T = 1 day in N = 2 periods (τ = 0.5); σ = 2, γ = 1e-3, η = 0.01, ε = 0.05.
SMALL = ExecutionProblem(shares=1000, horizon=1.0, periods=2, sigma=2.0, gamma=1e-3, eta=0.01,
                         epsilon=0.05)  # fmt: skip


def test_two_periods_by_hand() -> None:
    lam = 1e-3
    # η̃ = 0.01 − ½·1e-3·0.5 = 0.00975. Minimising E + λV over x1 by hand:
    # x1 = X / (2 + λσ²τ²/η̃) = 1000 / (2 + 1e-3·4·0.25/0.00975) = 1000 / 2.1025641...
    x1 = 1000 / (2 + 1e-3 * 4 * 0.25 / 0.00975)
    x = optimal_holdings(SMALL, lam)
    assert x == pytest.approx([1000.0, x1, 0.0], rel=1e-12)
    assert x1 == pytest.approx(475.6097560975, rel=1e-9)
    # E = ½γX² + εX + (η̃/τ)(n1² + n2²), V = σ²τ·x1².
    n1, n2 = 1000 - x1, x1
    moments = cost_moments(SMALL, x)
    assert moments.expected == pytest.approx(500 + 50 + 0.00975 / 0.5 * (n1**2 + n2**2), rel=1e-12)
    assert moments.variance == pytest.approx(4 * 0.5 * x1**2, rel=1e-12)
    # κ from cosh(κτ) = 1 + ½κ̃²τ² with κ̃² = λσ²/η̃.
    assert kappa(SMALL, lam) == pytest.approx(math.acosh(1 + 0.5 * lam * 4 / 0.00975 * 0.25) / 0.5)


def test_three_periods_by_hand() -> None:
    p = ExecutionProblem(shares=900, horizon=3.0, periods=3, sigma=1.0, gamma=0.0, eta=0.1)
    lam = 0.2
    # τ = 1 and κ̃² = λσ²/η = 2, so cosh κ = 1 + ½·2 = 2. With sinh 2κ = 2 sinh κ cosh κ and
    # sinh 3κ = sinh κ (4cosh²κ − 1): x1 = X·2cosh κ/15 = 240 and x2 = X/15 = 60.
    x1 = 900 * (2 * 2) / (4 * 4 - 1)
    x2 = 900 * 1 / (4 * 4 - 1)
    assert optimal_holdings(p, lam) == pytest.approx([900.0, x1, x2, 0.0], rel=1e-12)
    assert (x1, x2) == (240.0, 60.0)


def test_trade_list_sums_to_the_order() -> None:
    for lam in (0.0, 1e-6, 1e-3, 1.0, 1e3):
        n = trade_list(optimal_holdings(SMALL, lam))
        assert n.sum() == pytest.approx(1000.0, rel=1e-12)
        assert (n >= -1e-9).all()


def test_limits_linear_and_front_loaded() -> None:
    p = ExecutionProblem(shares=1e5, horizon=1.0, periods=20, sigma=0.5, gamma=1e-7, eta=1e-6)
    assert optimal_holdings(p, 0.0) == pytest.approx(linear_holdings(p))
    assert optimal_holdings(p, 1e-14) == pytest.approx(linear_holdings(p), rel=1e-6)
    urgent = trade_list(optimal_holdings(p, 1e3))
    assert urgent[0] > 0.95 * 1e5  # large λ: nearly all in the first period
    assert np.all(np.diff(trade_list(optimal_holdings(p, 1e-5))) < 0)  # front-loaded, decreasing
    # Immediate liquidation: no risk, the most expected cost.
    imm = cost_moments(p, immediate_holdings(p))
    assert imm.variance == 0.0
    assert imm.expected > cost_moments(p, optimal_holdings(p, 1e-5)).expected


def test_optimum_beats_twap_on_its_own_objective() -> None:
    p = ExecutionProblem(shares=1e5, horizon=1.0, periods=20, sigma=0.5, gamma=1e-7, eta=1e-6)
    lam = 1e-6
    best = cost_moments(p, optimal_holdings(p, lam))
    twap = cost_moments(p, linear_holdings(p))
    assert best.expected + lam * best.variance < twap.expected + lam * twap.variance


def test_expected_cost_and_variance_match_a_monte_carlo() -> None:
    p = ExecutionProblem(shares=5000, horizon=1.0, periods=8, sigma=0.3, gamma=2e-5, eta=4e-4,
                         epsilon=0.01)  # fmt: skip
    x = optimal_holdings(p, 1e-5)
    moments = cost_moments(p, x)
    costs = simulate_costs(p, x, paths=200_000, seed=3)
    se_mean = math.sqrt(moments.variance / costs.size)
    assert abs(costs.mean() - moments.expected) < 4 * se_mean
    assert costs.var() == pytest.approx(moments.variance, rel=0.02)


def test_frontier_is_efficient_and_lambda_round_trips() -> None:
    p = ExecutionProblem(shares=1e5, horizon=1.0, periods=20, sigma=0.5, gamma=1e-7, eta=1e-6)
    f = efficient_frontier(p, points=50)
    assert f.expected.size == 50
    assert np.all(np.diff(f.expected) > 0) and np.all(np.diff(f.variance) < 0)
    for lam, k, e in zip(f.risk_aversion[::10], f.kappa[::10], f.expected[::10], strict=True):
        assert kappa(p, lam) == pytest.approx(k, rel=1e-6)
        assert cost_moments(p, optimal_holdings(p, lam)).expected == pytest.approx(e, rel=1e-9)
    assert risk_aversion_for(p, kappa(p, 3e-6)) == pytest.approx(3e-6, rel=1e-9)


def test_eta_tilde_must_be_positive() -> None:
    with pytest.raises(ValueError, match="η̃"):
        ExecutionProblem(shares=1, horizon=1.0, periods=1, sigma=1, gamma=1.0, eta=0.1)
