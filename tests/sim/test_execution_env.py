"""The execution environment: the Gymnasium contract, seeds, and costs by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from tca.sim.execution_env import (
    ACTIONS,
    ExecutionEnv,
    ExecutionSetup,
    MarketPaths,
    half_spread,
    market_paths,
    reset_batch,
    shortfall_bps,
    step_batch,
    trade_batch,
)
from tca.sim.profiles import spread_factor


def test_passes_gymnasiums_env_checker() -> None:
    check_env(ExecutionEnv(), skip_render_check=True)


def test_episodes_are_reproducible_from_their_seed() -> None:
    def run(seed: int) -> list[float]:
        env = ExecutionEnv()
        obs, _ = env.reset(seed=seed)
        out = [float(obs.sum())]
        done = False
        while not done:
            obs, reward, done, _, info = env.step(ACTIONS.index(("touch", 1.0)))
            out.append(reward)
        return [*out, info["shortfall_bps"]]

    assert run(5) == run(5)
    assert run(5) != run(6)


def _quiet_paths(setup: ExecutionSetup, fill_u: float) -> MarketPaths:
    """One calm episode with no shocks, no imbalance, no spread noise."""
    n = setup.n_steps
    return MarketPaths(
        regime=np.array([0]), event_step=np.array([-1]), start_u=np.array([0.4]),
        shock=np.zeros((1, n)), imbalance=np.zeros((1, n)), spread_noise=np.ones((1, n)),
        fill_u=np.full((1, n), fill_u),
    )  # fmt: skip


def _twap_in_two_steps():  # type: ignore[no-untyped-def]
    """Two 30-minute TWAP slices, crossed, in a market that does not move by itself."""
    setup = ExecutionSetup(n_steps=2, step_minutes=30.0)
    paths = _quiet_paths(setup, fill_u=0.99)
    state = reset_batch(setup, paths)
    for _ in range(2):
        state, _ = step_batch(setup, paths, state, np.array([ACTIONS.index(("cross", 1.0))]))
    return setup, state


def test_twap_over_two_steps_costs_what_the_model_says() -> None:
    setup, state = _twap_in_two_steps()
    # By hand: each half of the order pays the half-spread, half its own temporary
    # impact, what is left of the first half's temporary impact, and the first half's
    # permanent impact (the second half's comes after it).
    tau = 30.0 / 390.0
    hs = [setup.half_spread_bps * spread_factor(0.4 + (k + 0.5) * tau) for k in range(2)]
    temp = setup.eta * setup.sigma_bps * (0.5 * setup.order_adv / tau) ** setup.beta
    decay = math.exp(-30 * 60 / setup.half_life_s)
    permanent = setup.gamma * setup.sigma_bps * 0.5 * setup.order_adv
    expected = 0.5 * (hs[0] + temp / 2) + 0.5 * (hs[1] + temp / 2 + temp * decay + permanent)
    assert shortfall_bps(state)[0] == pytest.approx(expected, rel=1e-12)
    assert state.left[0] == 0.0
    # And the mid moved by exactly the permanent impact of the whole order.
    assert state.mid[0] == pytest.approx(2 * permanent)


def test_a_filled_order_at_the_touch_earns_the_half_spread() -> None:
    setup = ExecutionSetup(n_steps=1, sigma_bps=0.0)  # no impact, no moves
    for fill_u, expected_left in ((0.0, 0.0), (0.999, 1.0)):
        paths = _quiet_paths(setup, fill_u=fill_u)
        state, _ = trade_batch(
            setup, paths, reset_batch(setup, paths),
            kinds=np.array(["touch"]), sizes=np.array([1.0]),
        )  # fmt: skip
        assert state.left[0] == expected_left
        paid = -half_spread(setup, paths, 0)[0] * (1 - expected_left)
        assert state.cost[0] == pytest.approx(paid)


def test_rewards_add_up_to_minus_the_shortfall_and_the_penalties() -> None:
    """The marked-to-market reward telescopes to the implementation shortfall."""
    setup = ExecutionSetup()
    paths = market_paths(setup, batch=300, seed=3)
    rng = np.random.default_rng(0)
    state, total = reset_batch(setup, paths), np.zeros(300)
    for _ in range(setup.n_steps):
        state, reward = step_batch(setup, paths, state, rng.integers(0, len(ACTIONS), 300))
        total += reward
    unfinished = state.left * setup.unfinished_bps
    assert np.allclose(total, -(shortfall_bps(state) + state.penalty + unfinished))
    assert (state.left > 0).any() and (state.left == 0).any()  # both cases were met


def test_news_days_widen_the_spread_and_raise_volatility_inside_the_window() -> None:
    setup = ExecutionSetup()
    paths = market_paths(setup, batch=200, seed=1, regime=2)
    k = int(paths.event_step[0])
    one = MarketPaths(**{f: getattr(paths, f)[:1] for f in MarketPaths.__dataclass_fields__})
    before, inside = half_spread(setup, one, k - 1)[0], half_spread(setup, one, k)[0]
    noise = one.spread_noise[0, k] / one.spread_noise[0, k - 1]
    assert inside / before / noise == pytest.approx(setup.event_spread, rel=0.05)
    assert (paths.event_step >= 3).all()


def test_the_cost_components_are_the_temporary_and_permanent_parts_paid() -> None:
    setup, state = _twap_in_two_steps()
    tau = 30.0 / 390.0
    temp = setup.eta * setup.sigma_bps * (0.5 * setup.order_adv / tau) ** setup.beta
    decay = math.exp(-30 * 60 / setup.half_life_s)
    assert state.temp_cost[0] == pytest.approx(0.5 * temp / 2 + 0.5 * (temp / 2 + temp * decay))
    assert state.perm_cost[0] == pytest.approx(
        0.5 * setup.gamma * setup.sigma_bps * 0.5 * setup.order_adv
    )
