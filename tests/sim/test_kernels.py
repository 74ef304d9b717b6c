"""The vectorised impact sums against brute force, including events at the query instant."""

from __future__ import annotations

import numpy as np
import pytest

from tca.sim.impact import decay_sum, ramp_sum, step_sum, temporary_scale

NS = 10**9
HORIZON = 23_400 * NS


def _case(seed: int, sorted_queries: bool) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    n, m, groups = 300, (4000 if sorted_queries else 300), 4
    g, t = rng.integers(0, groups, n), rng.integers(0, HORIZON, n)
    order = np.lexsort((t, g))
    g, t, a = g[order], t[order], rng.normal(size=n)
    qg, qt = rng.integers(0, groups, m), rng.integers(0, HORIZON, m)
    qg[:30], qt[:30] = g[:30], t[:30]  # queries exactly at event times
    if sorted_queries:
        order = np.lexsort((qt, qg))
        qg, qt = qg[order], qt[order]
    return g, t, a, qg, qt


@pytest.mark.parametrize("sorted_queries", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sums_match_brute_force(seed: int, sorted_queries: bool) -> None:
    g, t, a, qg, qt = _case(seed, sorted_queries)
    before = (g[None, :] == qg[:, None]) & (t[None, :] < qt[:, None])  # strictly before
    half_life = [1.0, 30.0, 600.0][seed]
    tau = half_life / np.log(2)
    age = np.clip(qt[:, None] - t[None, :], 0, None) / NS
    expected = (before * a * np.exp(-age / tau)).sum(axis=1)
    got = decay_sum(g, t, a, qg, qt, half_life_s=half_life, horizon_ns=HORIZON)
    np.testing.assert_allclose(got, expected, atol=1e-9)
    np.testing.assert_allclose(step_sum(g, t, a, qg, qt), (before * a).sum(axis=1), atol=1e-12)

    rng = np.random.default_rng(seed + 100)
    start = rng.integers(0, HORIZON, t.size)
    stop = start + rng.integers(1, HORIZON // 3, t.size)
    same = g[None, :] == qg[:, None]
    progress = np.clip((qt[:, None] - start) / (stop - start), 0.0, 1.0)
    np.testing.assert_allclose(
        ramp_sum(g, start, stop, qg, qt, amount=a), (same * a * progress).sum(axis=1), atol=1e-9
    )


def test_temporary_scale_hits_target_and_caps() -> None:
    level = np.array([2.0, 2.0, 0.0])
    executed = np.array([100.0, 100.0, 50.0])
    exposure = np.array([400.0, 1.0, 0.0])  # the second order barely meets its own impact
    peak = np.array([10.0, 10.0, 0.0])
    kappa, capped = temporary_scale(level, executed, exposure, peak)
    assert kappa[0] == pytest.approx(2.0 * 100 / 400)
    assert capped.tolist() == [False, True, False]
    assert kappa[1] * peak[1] == pytest.approx(4.0 * level[1])
    assert kappa[2] == 0.0
