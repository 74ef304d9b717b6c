"""An execution environment for learning agents: one parent order worked over a horizon.

The market is the simulator's, reduced to what an execution decision sees every
few minutes: an arithmetic random walk of the mid (in bps of the arrival price)
whose variance follows the intraday U-shape, a spread with its own shape, an
order-book imbalance that leads the next move, three regimes (calm, volatile
and news days, with the simulator's probabilities) and, on news days, a
scheduled event whose window widens the spread, multiplies volatility and
thins the book. Our own trades move the price through the simulator's impact
model: a permanent ``γ·σ·q/ADV`` and a temporary ``η·σ·(rate)^β`` that decays
with the simulator's half-life; resting orders earn the spread but fill only
part of the time, more often when the price is moving through them (adverse
selection).

Everything random that does not depend on our actions (price shocks, spreads,
imbalance, the fill lottery's uniforms, the regime and the event) is drawn up
front from the episode's seed as :class:`MarketPaths`, so strategies are
compared on identical markets (common random numbers, paired tests). The
dynamics are vectorised over a batch of episodes (training runs hundreds in
lock-step); :class:`ExecutionEnv` is the standard Gymnasium interface over a
batch of one, so any agent can be plugged in.

Costs are in bps of the arrival mid and signed so that positive is a cost for
a buy or a sell alike (the model is symmetric in the side).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import gymnasium as gym
import numpy as np

from .config import SimConfig
from .profiles import spread_factor, variance_intensity, volume_intensity

REGIMES = ("calm", "volatile", "news")
SESSION_MINUTES = 390.0
# Actions: pause, a child order of (multiple of the TWAP slice) x (aggression), or
# sweep: cross for everything that is left.
SIZES = (0.5, 1.0, 2.0, 3.0)
AGGRESSIONS = ("cross", "touch", "deep")
ACTIONS = [("pause", 0.0)] + [(a, m) for m in SIZES for a in AGGRESSIONS] + [("cross", np.inf)]
N_ACTIONS = len(ACTIONS)
OBS_SIZE = 9


@dataclass(frozen=True)
class ExecutionSetup:
    """The order and the market it meets; the defaults follow the simulator's."""

    n_steps: int = 24  # decisions
    step_minutes: float = 5.0  # a two-hour horizon
    order_adv: float = 0.02  # order size as a fraction of ADV
    sigma_bps: float = 200.0  # daily volatility, calm regime (2 %)
    half_spread_bps: float = 3.0  # calm regime, midday
    gamma: float = SimConfig.gamma
    eta: float = SimConfig.eta
    beta: float = SimConfig.beta
    half_life_s: float = SimConfig.half_life_s
    regime_probs: tuple[float, float, float] = SimConfig.regime_probs
    vol_mult: tuple[float, float, float] = (1.0, 1.8, 1.2)  # by regime
    spread_mult: tuple[float, float, float] = (1.0, 1.6, 1.2)
    event_steps: int = 3  # the news window, in steps (15 minutes)
    event_vol: float = 3.0  # inside the window: volatility, spread and impact multipliers
    event_spread: float = 6.0
    event_impact: float = 5.0
    imbalance_rho: float = 0.7
    imbalance_lead: float = 0.35  # next move = σ·(shock + lead·imbalance)
    touch_fill: float = 0.55  # chance a resting order at the touch fills within a step
    deep_fill: float = 0.3  # one tick-spread behind the touch
    passive_impact: float = 0.25  # temporary impact of a passive fill, relative to a cross
    risk_aversion: float = 0.002  # per bps² of inventory variance (of the order's size)
    unfinished_bps: float = 300.0  # penalty per unit of the order left at the horizon

    @property
    def tau_days(self) -> float:
        return self.step_minutes / SESSION_MINUTES

    @property
    def horizon_fraction(self) -> float:
        return self.n_steps * self.step_minutes / SESSION_MINUTES


@dataclass(frozen=True)
class MarketPaths:
    """The exogenous randomness of ``B`` episodes (arrays of shape (B,) or (B, N))."""

    regime: np.ndarray  # 0 calm, 1 volatile, 2 news
    event_step: np.ndarray  # first step of the news window, -1 without one
    start_u: np.ndarray  # fraction of the session elapsed at arrival
    shock: np.ndarray  # standard normal price shocks
    imbalance: np.ndarray  # order-book imbalance in [-1, 1], positive = buyers
    spread_noise: np.ndarray  # log-normal factor of the spread
    fill_u: np.ndarray  # uniforms of the passive fill lottery

    @property
    def size(self) -> int:
        return int(self.regime.shape[0])


def market_paths(
    setup: ExecutionSetup,
    *,
    batch: int,
    seed: int,
    regime: int | None = None,
    regime_probs: tuple[float, float, float] | None = None,
) -> MarketPaths:
    """Draw ``batch`` episodes from ``seed``; ``regime`` forces one regime for all,
    ``regime_probs`` replaces the setup's mix (training oversamples rare days)."""
    rng = np.random.default_rng(seed)
    n = setup.n_steps
    if regime is None:
        reg = rng.choice(3, size=batch, p=np.asarray(regime_probs or setup.regime_probs))
    else:
        reg = np.full(batch, regime)
    event = np.where(reg == 2, rng.integers(3, n - setup.event_steps - 3, size=batch), -1)
    start = rng.uniform(0.02, 0.98 - setup.horizon_fraction, size=batch)
    innovations = rng.standard_normal((batch, n))
    imb = np.empty((batch, n))
    imb[:, 0] = rng.uniform(-0.5, 0.5, size=batch)
    rho = setup.imbalance_rho
    for k in range(1, n):  # an AR(1) over the steps (N iterations, vectorised over episodes)
        imb[:, k] = rho * imb[:, k - 1] + np.sqrt(1 - rho**2) * 0.6 * innovations[:, k]
    return MarketPaths(
        regime=reg,
        event_step=event,
        start_u=start,
        shock=rng.standard_normal((batch, n)),
        imbalance=np.clip(imb, -1.0, 1.0),
        spread_noise=np.exp(0.2 * rng.standard_normal((batch, n))),
        fill_u=rng.uniform(size=(batch, n)),
    )


@dataclass
class BatchState:
    """Where ``B`` episodes stand after ``k`` steps (shares as fractions of the order)."""

    k: int
    left: np.ndarray  # order left to trade, fraction of the order
    mid: np.ndarray  # mid move since arrival, bps (signed: positive is against us)
    temp: np.ndarray  # temporary impact still in the price, bps
    cost: np.ndarray  # cost paid so far, bps of the order
    penalty: np.ndarray  # risk penalty accumulated, bps
    last_vol: np.ndarray  # the last step's volatility, bps
    temp_cost: np.ndarray  # of ``cost``: temporary impact paid (ours and our past trades')
    perm_cost: np.ndarray  # of ``cost``: our own permanent impact paid
    log: list[np.ndarray] = field(default_factory=list)  # traded fraction per step


def reset_batch(setup: ExecutionSetup, paths: MarketPaths) -> BatchState:
    b = paths.size
    vol0 = _step_vol(setup, paths, 0)
    zero = np.zeros(b)
    return BatchState(0, np.ones(b), zero, zero, zero, zero, vol0, zero, zero)


def _u(setup: ExecutionSetup, paths: MarketPaths, k: int) -> np.ndarray:
    return paths.start_u + (k + 0.5) * setup.step_minutes / SESSION_MINUTES


def _in_event(setup: ExecutionSetup, paths: MarketPaths, k: int) -> np.ndarray:
    e = paths.event_step
    return (e >= 0) & (k >= e) & (k < e + setup.event_steps)


def _step_vol(setup: ExecutionSetup, paths: MarketPaths, k: int) -> np.ndarray:
    """σ over one step, bps: daily σ scaled by the regime, the U-shape and the event."""
    shape = variance_intensity(_u(setup, paths, k)) / 1.16  # 1 on average over a session
    mult = np.asarray(setup.vol_mult)[paths.regime] * np.where(
        _in_event(setup, paths, k), setup.event_vol, 1.0
    )
    return setup.sigma_bps * mult * np.sqrt(setup.tau_days * shape)


def half_spread(setup: ExecutionSetup, paths: MarketPaths, k: int) -> np.ndarray:
    mult = np.asarray(setup.spread_mult)[paths.regime] * np.where(
        _in_event(setup, paths, k), setup.event_spread, 1.0
    )
    u = _u(setup, paths, k)
    return setup.half_spread_bps * mult * spread_factor(u) * paths.spread_noise[:, k]


def _step_volume_share(setup: ExecutionSetup, paths: MarketPaths, k: int) -> np.ndarray:
    """This step's share of a day's volume (the U-shape, normalised to one per session)."""
    return setup.tau_days * volume_intensity(_u(setup, paths, k)) / 1.185


def observe(setup: ExecutionSetup, paths: MarketPaths, state: BatchState) -> np.ndarray:
    """The agent's view, shape (B, 9): time left, inventory left, spread (bps), recent
    volatility (bps), imbalance (signed so positive means the price is about to move
    against us), steps to the event as a fraction of the horizon (1 when none is
    ahead, 0 inside it), and the regime one-hot."""
    k = min(state.k, setup.n_steps - 1)
    n = setup.n_steps
    e = paths.event_step
    to_event = np.where(
        e < 0, 1.0, np.where(k < e, (e - k) / n, np.where(_in_event(setup, paths, k), 0.0, 1.0))
    )
    regime = np.eye(3)[paths.regime]
    return np.column_stack(
        [
            np.full(paths.size, (n - state.k) / n),
            state.left,
            2.0 * half_spread(setup, paths, k),
            state.last_vol,
            paths.imbalance[:, k],
            to_event,
            regime,
        ]
    ).astype(np.float32)


def step_batch(
    setup: ExecutionSetup, paths: MarketPaths, state: BatchState, actions: np.ndarray
) -> tuple[BatchState, np.ndarray]:
    """Apply one action (an index into ``ACTIONS``) per episode; see :func:`trade_batch`."""
    kinds = np.array([a for a, _ in ACTIONS])[actions]
    mult = np.array([m for _, m in ACTIONS])[actions]
    return trade_batch(setup, paths, state, kinds=kinds, sizes=mult / setup.n_steps)


def trade_batch(
    setup: ExecutionSetup,
    paths: MarketPaths,
    state: BatchState,
    *,
    kinds: np.ndarray,
    sizes: np.ndarray,
) -> tuple[BatchState, np.ndarray]:
    """Send child orders of ``sizes`` (fractions of the order) with aggression ``kinds``
    ("pause", "cross", "touch", "deep"); the new state and the rewards (minus the
    cost and the risk penalty, bps of the order)."""
    k = state.k
    want = np.minimum(state.left, np.maximum(sizes, 0.0))
    shock, imb = paths.shock[:, k], paths.imbalance[:, k]
    hs = half_spread(setup, paths, k)
    event = _in_event(setup, paths, k)
    # Passive orders fill more often when the price moves through them (adverse selection).
    fill_p = np.where(kinds == "touch", setup.touch_fill, setup.deep_fill) * (1.0 - 0.3 * shock)
    filled_passive = paths.fill_u[:, k] < np.clip(fill_p, 0.02, 0.98)
    trade = np.where(
        kinds == "cross", want, np.where((kinds == "pause") | ~filled_passive, 0.0, want)
    )
    # Temporary impact of the trade rate (fraction of ADV per day) and the price paid.
    rate = trade * setup.order_adv / setup.tau_days
    impact_mult = np.where(event, setup.event_impact, 1.0) * np.where(
        kinds == "cross", 1.0, setup.passive_impact
    )
    new_temp = impact_mult * setup.eta * setup.sigma_bps * np.power(rate, setup.beta)
    offset = np.select([kinds == "cross", kinds == "touch"], [hs, -hs], -2.0 * hs)
    price = state.mid + state.temp + offset + 0.5 * new_temp
    paid = trade * price
    # The market moves: our permanent impact, the decay of temporary impact, the shock.
    vol = _step_vol(setup, paths, k)
    permanent = setup.gamma * setup.sigma_bps * trade * setup.order_adv
    decay = np.exp(-setup.step_minutes * 60.0 / setup.half_life_s)
    mid = state.mid + permanent + vol * (shock + setup.imbalance_lead * imb)
    left = np.maximum(state.left - trade, 0.0)
    left = np.where(left < 1e-12, 0.0, left)
    risk = setup.risk_aversion * (left * vol) ** 2
    own_permanent = setup.gamma * setup.sigma_bps * setup.order_adv * (1.0 - state.left)
    new = BatchState(
        k + 1, left, mid, (state.temp + new_temp) * decay, state.cost + paid,
        state.penalty + risk, vol, state.temp_cost + trade * (state.temp + 0.5 * new_temp),
        state.perm_cost + trade * own_permanent, [*state.log, trade],
    )  # fmt: skip
    # Marked to market: the step's execution cost against the mid it started from,
    # plus the move of the mid on what is still held. Summed over an episode this is
    # the shortfall (Abel summation), and it depends on the state alone, not on the
    # mid's level, which the agent does not see.
    reward = -trade * (price - state.mid) - left * (mid - state.mid) - risk
    if new.k == setup.n_steps:  # what is left is penalised (its cost is already marked)
        reward = reward - left * setup.unfinished_bps
    return new, reward


def volume_shares(setup: ExecutionSetup, paths: MarketPaths) -> np.ndarray:
    """Each step's share of a day's volume, shape (B, N): the market's own schedule."""
    return np.column_stack([_step_volume_share(setup, paths, k) for k in range(setup.n_steps)])


def shortfall_bps(state: BatchState) -> np.ndarray:
    """Implementation shortfall of each episode, bps: paid plus the unfilled part at
    the final mid (opportunity cost), without the risk and unfinished penalties."""
    return state.cost + state.left * state.mid


def completed(state: BatchState) -> np.ndarray:
    return state.left <= 1e-9


class ExecutionEnv(gym.Env):  # type: ignore[type-arg]
    """Gymnasium environment over one episode; ``reset(seed=...)`` draws its market."""

    metadata = {"render_modes": []}  # noqa: RUF012 (gymnasium's own convention)

    def __init__(self, setup: ExecutionSetup | None = None, regime: int | None = None) -> None:
        self.setup = setup or ExecutionSetup()
        self.regime = regime
        self.action_space = gym.spaces.Discrete(N_ACTIONS)
        high = np.array([1, 1, 1e4, 1e4, 1, 1, 1, 1, 1], dtype=np.float32)
        low = np.array([0, 0, 0, 0, -1, 0, 0, 0, 0], dtype=np.float32)
        self.observation_space = gym.spaces.Box(low, high, dtype=np.float32)
        self._paths: MarketPaths | None = None
        self._state: BatchState | None = None

    def reset(
        self, *, seed: int | None = None, options: dict | None = None  # type: ignore[type-arg]
    ) -> tuple[np.ndarray, dict]:  # type: ignore[type-arg]
        super().reset(seed=seed)
        episode_seed = int(self.np_random.integers(0, 2**63 - 1))
        self._paths = market_paths(self.setup, batch=1, seed=episode_seed, regime=self.regime)
        self._state = reset_batch(self.setup, self._paths)
        return observe(self.setup, self._paths, self._state)[0], self._info()

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict]:  # type: ignore[type-arg]
        if self._paths is None or self._state is None:
            raise RuntimeError("call reset() before step()")
        self._state, reward = step_batch(
            self.setup, self._paths, self._state, np.asarray([int(action)])
        )
        done = self._state.k >= self.setup.n_steps
        obs = observe(self.setup, self._paths, self._state)[0]
        return obs, float(reward[0]), done, False, self._info()

    def _info(self) -> dict[str, float]:
        if self._paths is None or self._state is None:
            raise RuntimeError("call reset() first")
        return {
            "shortfall_bps": float(shortfall_bps(self._state)[0]),
            "left": float(self._state.left[0]),
            "regime": REGIMES[int(self._paths.regime[0])],
        }
