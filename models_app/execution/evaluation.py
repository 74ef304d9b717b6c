"""The agent against the classic schedules, on held-out simulated markets.

Baselines send marketable child orders (they cross the spread) on a fixed
schedule, as the algorithms of those names do in their simplest form:

- TWAP: equal slices in every step;
- VWAP: slices in proportion to the market's expected volume in each step;
- POV 10 %: 10 % of the market's volume in each step until the order is done;
- Almgren-Chriss: the optimal trajectory of the linearised model for the
  environment's own risk aversion (its penalty is λ·σ²·τ·Σx², the paper's λV),
  with the regime's volatility known at the start.

Every strategy meets the same markets (same seed, same shocks), so differences
are paired; the test is Student's paired t-test (two-sided).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from models_app.impact.almgren_chriss import ExecutionProblem, optimal_holdings, trade_list
from tca.sim.execution_env import (
    REGIMES,
    BatchState,
    ExecutionSetup,
    MarketPaths,
    completed,
    market_paths,
    observe,
    reset_batch,
    shortfall_bps,
    step_batch,
    trade_batch,
    volume_shares,
)

from .agent import QPolicy

AGENT = "agent"
BASELINES = ("twap", "vwap", "pov10", "almgren_chriss")
STRATEGIES = (AGENT, *BASELINES)
# Held-out markets: far from any training seed (training uses seed * 1_000_003 + batch).
EVALUATION_SEED = 7_777_777_777


def _schedule_runner(sizes_for: Callable[[ExecutionSetup, MarketPaths], np.ndarray]):  # type: ignore[no-untyped-def]
    def run(setup: ExecutionSetup, paths: MarketPaths) -> BatchState:
        sizes = sizes_for(setup, paths)  # (B, N) fractions of the order
        state = reset_batch(setup, paths)
        cross = np.full(paths.size, "cross")
        for k in range(setup.n_steps):
            state, _ = trade_batch(setup, paths, state, kinds=cross, sizes=sizes[:, k])
        return state

    return run


def _twap(setup: ExecutionSetup, paths: MarketPaths) -> np.ndarray:
    return np.full((paths.size, setup.n_steps), 1.0 / setup.n_steps)


def _vwap(setup: ExecutionSetup, paths: MarketPaths) -> np.ndarray:
    shares = volume_shares(setup, paths)
    return shares / shares.sum(axis=1, keepdims=True)


def _pov10(setup: ExecutionSetup, paths: MarketPaths) -> np.ndarray:
    return 0.10 * volume_shares(setup, paths) / setup.order_adv


def almgren_chriss_sizes(setup: ExecutionSetup, regime: int) -> np.ndarray:
    """The optimal trade list (fractions of the order) for one regime's volatility."""
    sigma = setup.sigma_bps * setup.vol_mult[regime]
    horizon = setup.n_steps * setup.tau_days
    rate = setup.order_adv / horizon  # TWAP's rate, fraction of ADV per day
    # Linearise η·σ·rate^β at the TWAP rate: cost per unit of the order = η_lin · (units/day).
    eta_lin = setup.eta * sigma * rate**setup.beta * horizon
    problem = ExecutionProblem(
        shares=1.0, horizon=horizon, periods=setup.n_steps, sigma=sigma,
        gamma=setup.gamma * sigma * setup.order_adv, eta=eta_lin,
        epsilon=setup.half_spread_bps * setup.spread_mult[regime],
    )  # fmt: skip
    return trade_list(optimal_holdings(problem, setup.risk_aversion))


def _almgren_chriss(setup: ExecutionSetup, paths: MarketPaths) -> np.ndarray:
    table = np.stack([almgren_chriss_sizes(setup, r) for r in range(3)])
    return table[paths.regime]


def run_policy(policy: QPolicy, setup: ExecutionSetup, paths: MarketPaths) -> BatchState:
    state = reset_batch(setup, paths)
    for _ in range(setup.n_steps):
        state, _ = step_batch(setup, paths, state, policy.act(observe(setup, paths, state)))
    return state


RUNNERS = {
    "twap": _schedule_runner(_twap),
    "vwap": _schedule_runner(_vwap),
    "pov10": _schedule_runner(_pov10),
    "almgren_chriss": _schedule_runner(_almgren_chriss),
}


@dataclass(frozen=True)
class Outcome:
    shortfall: np.ndarray  # bps, per episode
    completed: np.ndarray  # bool, per episode


def outcomes(policy: QPolicy, setup: ExecutionSetup, paths: MarketPaths) -> dict[str, Outcome]:
    """Every strategy on the same markets."""
    out = {}
    for name in STRATEGIES:
        state = run_policy(policy, setup, paths) if name == AGENT else RUNNERS[name](setup, paths)
        out[name] = Outcome(shortfall_bps(state), completed(state))
    return out


def _summary(o: Outcome) -> dict[str, float]:
    return {
        "mean_bps": float(o.shortfall.mean()),
        "std_bps": float(o.shortfall.std(ddof=1)),
        "completed": float(o.completed.mean()),
        "n": int(o.shortfall.size),
    }


def _paired(agent: Outcome, other: Outcome) -> dict[str, float]:
    diff = agent.shortfall - other.shortfall
    test = stats.ttest_rel(agent.shortfall, other.shortfall)
    return {
        "mean_difference_bps": float(diff.mean()),
        "se_bps": float(diff.std(ddof=1) / np.sqrt(diff.size)),
        "t": float(test.statistic),
        "p_value": float(test.pvalue),
    }


def evaluate(
    policy: QPolicy, *, per_regime: int = 400, overall: int = 1200, seed: int = EVALUATION_SEED
) -> dict[str, object]:
    """Mean and std of IS, completion and paired tests, overall (the simulator's mix of
    regimes) and per regime, on markets no training batch saw."""
    setup = policy.setup
    groups: dict[str, MarketPaths] = {
        "overall": market_paths(setup, batch=overall, seed=seed),
        **{
            name: market_paths(setup, batch=per_regime, seed=seed + 1 + r, regime=r)
            for r, name in enumerate(REGIMES)
        },
    }
    table: dict[str, object] = {}
    for group, paths in groups.items():
        results = outcomes(policy, setup, paths)
        table[group] = {
            "strategies": {name: _summary(o) for name, o in results.items()},
            "versus": {b: _paired(results[AGENT], results[b]) for b in BASELINES},
        }
    return {"groups": table, "seed": seed, "strategies": list(STRATEGIES)}


def rollout_shortfalls(policy: QPolicy, *, n: int, seed: int) -> np.ndarray:
    """The agent's IS on ``n`` simulated markets: its pre-trade cost distribution."""
    paths = market_paths(policy.setup, batch=n, seed=seed)
    return shortfall_bps(run_policy(policy, policy.setup, paths))
