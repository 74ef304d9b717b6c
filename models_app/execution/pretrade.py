"""The trained policy as a pre-trade strategy: its cost distribution from rollouts.

The policy acts in an environment set up for the order (its size in ADV, the
instrument's volatility and spread, the horizon cut into the policy's number of
steps) over simulated markets drawn with the simulator's mix of regimes, since
the day's regime is not known before it trades. The table was learnt for one
setup; an order far from it is flagged, because the states it will meet were
visited rarely or never in training.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from tca.sim.execution_env import completed, market_paths, shortfall_bps

from .agent import QPolicy
from .evaluation import run_policy

ROLLOUTS = 2000
ROLLOUT_SEED = 424_242


def policy_estimate(
    policy: QPolicy,
    *,
    order_adv: float,
    sigma_bps: float,
    half_spread_bps: float,
    horizon_s: float,
    threshold_bps: float,
    n: int = ROLLOUTS,
    seed: int = ROLLOUT_SEED,
) -> dict[str, object]:
    """Expected cost, its spread and quantiles, P(cost > threshold) and the flags."""
    trained = policy.setup
    setup = dataclasses.replace(
        trained,
        order_adv=order_adv,
        sigma_bps=sigma_bps,
        half_spread_bps=half_spread_bps,
        step_minutes=horizon_s / 60.0 / trained.n_steps,
    )
    flags = []
    for name, value, ref in (
        ("size", order_adv, trained.order_adv),
        ("volatility", sigma_bps, trained.sigma_bps),
        ("spread", half_spread_bps, trained.half_spread_bps),
        ("horizon", setup.step_minutes, trained.step_minutes),
    ):
        if not 0.5 <= value / ref <= 2.0:
            flags.append(f"{name} far from the policy's training ({value / ref:.2g}x)")
    if setup.horizon_fraction >= 0.95:
        flags.append("horizon longer than a session: capped")
        setup = dataclasses.replace(setup, step_minutes=0.9 * 390.0 / trained.n_steps)
    state = run_policy(policy, setup, market_paths(setup, batch=n, seed=seed))
    cost = shortfall_bps(state)
    done = completed(state).mean()
    if done < 0.99:
        flags.append(f"completes {done:.0%} of rollouts")
    q05, q50, q95 = np.quantile(cost, [0.05, 0.5, 0.95])
    return {
        "temporary_bps": float(state.temp_cost.mean()),
        "permanent_bps": float(state.perm_cost.mean()),
        "total_bps": float(cost.mean()),
        "std_bps": float(cost.std(ddof=1)),
        "q05_bps": float(q05),
        "q50_bps": float(q50),
        "q95_bps": float(q95),
        "p_exceed": float((cost > threshold_bps).mean()),
        "completed": float(done),
        "flags": flags,
    }
