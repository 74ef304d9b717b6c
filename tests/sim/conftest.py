"""Data sets shared by the simulator tests (built once per session: they are pure)."""

from __future__ import annotations

import pytest

from tca.sim import Dataset, SimConfig, simulate


@pytest.fixture(scope="session")
def small() -> Dataset:
    return simulate(SimConfig.preset("small", seed=7))


@pytest.fixture(scope="session")
def noiseless() -> Dataset:
    """No exogenous price noise and no informed flow: mids move only because of our fills."""
    return simulate(SimConfig.preset("small", seed=11, noise=0.0, informed_share=0.0))
