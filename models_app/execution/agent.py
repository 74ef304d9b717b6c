"""A tabular Q-learning execution agent over a discretised state.

As in Nevmyvaka, Feng and Kearns (2006), "Reinforcement learning for optimized
trade execution": the state is a handful of bucketed market and private
variables, the action a child order's size and aggression (or a pause), and
the value of each (state, action) is learnt by Q-learning on simulated
episodes. A table trains in seconds on two cores and can be read: for each
state, which action and what it expects to pay. Training runs hundreds of
episodes in lock-step (the environment is vectorised over a batch), each
batch from its own seed, so a seed fixes the whole run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tca.sim.execution_env import (
    ACTIONS,
    N_ACTIONS,
    ExecutionSetup,
    market_paths,
    observe,
    reset_batch,
    shortfall_bps,
    step_batch,
)

# Bucket edges of the observation's features (see tca.sim.execution_env.observe).
STEPS_LEFT_EDGES = np.array([1.5, 2.5, 4.5, 8.5, 16.5])  # finer near the horizon
TIME_BUCKETS = len(STEPS_LEFT_EDGES) + 1
DEVIATION_EDGES = np.array([-0.15, -0.05, 0.05, 0.15])  # left − TWAP schedule's left
SPREAD_EDGES = np.array([10.0])  # bps: normal, or wide (volatile markets, the news window)
IMBALANCE_EDGES = np.array([-0.3, 0.3])
EVENT_EDGES = np.array([1e-9, 0.13, 0.99])  # inside / within 3 steps / later / none
N_STATES = TIME_BUCKETS * 5 * 2 * 3 * 4 * 3
TWAP_ACTION = ACTIONS.index(("cross", 1.0))


def state_index(obs: np.ndarray, n_steps: int) -> np.ndarray:
    """Bucket each observation row into one of ``N_STATES`` cells."""
    time_left, left, spread, _vol, imbalance, to_event = (obs[:, i] for i in range(6))
    regime = np.argmax(obs[:, 6:9], axis=1)
    t = np.digitize(time_left * n_steps, STEPS_LEFT_EDGES)
    deviation = np.digitize(left - time_left, DEVIATION_EDGES)
    s = np.digitize(spread, SPREAD_EDGES)
    i = np.digitize(imbalance, IMBALANCE_EDGES)
    e = np.digitize(to_event, EVENT_EDGES)
    return ((((t * 5 + deviation) * 2 + s) * 3 + i) * 4 + e) * 3 + regime


@dataclass
class QPolicy:
    """A greedy policy over a learnt Q table (with the setup it was trained for)."""

    setup: ExecutionSetup
    q: np.ndarray  # (N_STATES, N_ACTIONS), expected reward to go (minus cost, bps)
    visits: np.ndarray  # (N_STATES, N_ACTIONS)
    curve: list[float] = field(default_factory=list)  # mean shortfall per training batch

    def act(self, obs: np.ndarray) -> np.ndarray:
        """Actions for a batch of observations (shape (B, 9)); a single row works too.

        Only actions tried in training are ranked; a state never met falls back to
        the TWAP slice, crossed (a table has no opinion there).
        """
        cells = state_index(np.atleast_2d(obs), self.setup.n_steps)
        tried = self.visits[cells] > 0
        best = np.argmax(np.where(tried, self.q[cells], -np.inf), axis=1)
        return np.where(tried.any(axis=1), best, TWAP_ACTION)


def train_q_policy(
    setup: ExecutionSetup,
    *,
    seed: int,
    batches: int = 600,
    batch_size: int = 256,
    learning_rate: float = 0.01,
    epsilon: tuple[float, float] = (1.0, 0.02),
    regime_probs: tuple[float, float, float] = (1 / 3, 1 / 3, 1 / 3),
) -> QPolicy:
    """Q-learning with ε-greedy exploration decaying linearly over the batches, and a
    per-cell step size that starts as a running mean and ends at ``learning_rate``.

    Each batch is a fresh set of markets (seed ``seed * 1_000_003 + b``); within a
    batch the updates of episodes landing in the same cell are averaged. Regimes
    are drawn evenly (``regime_probs``): news days are rare in the market but the
    agent must learn them as well as the others.
    """
    rng = np.random.default_rng(seed)
    q = np.zeros((N_STATES, N_ACTIONS))
    visits = np.zeros((N_STATES, N_ACTIONS))
    curve: list[float] = []
    for b in range(batches):
        eps = epsilon[0] + (epsilon[1] - epsilon[0]) * b / max(batches - 1, 1)
        paths = market_paths(
            setup, batch=batch_size, seed=seed * 1_000_003 + b, regime_probs=regime_probs
        )
        state = reset_batch(setup, paths)
        cells = state_index(observe(setup, paths, state), setup.n_steps)
        for _ in range(setup.n_steps):
            greedy = np.argmax(q[cells], axis=1)
            explore = rng.uniform(size=batch_size) < eps
            actions = np.where(explore, rng.integers(0, N_ACTIONS, size=batch_size), greedy)
            state, reward = step_batch(setup, paths, state, actions)
            if state.k < setup.n_steps:
                nxt = state_index(observe(setup, paths, state), setup.n_steps)
                target = reward + q[nxt].max(axis=1)
            else:
                nxt, target = cells, reward
            flat = cells * N_ACTIONS + actions
            sums = np.bincount(flat, weights=target - q.flat[flat], minlength=q.size)
            counts = np.bincount(flat, minlength=q.size)
            hit = counts > 0
            # A running mean of the targets while a cell is young, then a fixed
            # floor so later (better) targets still move it.
            seen = visits.flat[hit] + counts[hit]
            rate = np.maximum(counts[hit] / seen, learning_rate)
            q.flat[hit] += rate * sums[hit] / counts[hit]
            visits.flat[hit] = seen
            cells = nxt
        curve.append(float(shortfall_bps(state).mean()))
    return QPolicy(setup=setup, q=q, visits=visits, curve=curve)
