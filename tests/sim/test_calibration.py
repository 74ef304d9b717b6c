"""The simulator's own fills and quotes recover the impact parameters it was given.

In a market without exogenous noise or informed flow (noise=0,
informed_share=0), the measured cost of each order is its own impact plus tick
rounding. The fit uses only the ingestible data (orders, fills, quotes,
trades) and each day's sigma, which a TCA would estimate from history but a
noiseless market cannot reveal: never the impact parameters or per-order
truth. Orders overlapping another order on the same symbol are left out, as a
careful calibration would, because their impacts mix.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy.optimize import least_squares

from tca.sim import Dataset, SimConfig, simulate

from .measures import daily_market_volume, isolated, order_costs

SCHEDULED = ("TWAP", "VWAP", "POV", "AGGRESSIVE", "BALANCED", "PASSIVE")
LAB = SimConfig(
    n_instruments=60,
    n_days=10,
    orders_per_day=1.0,
    noise=0.0,
    informed_share=0.0,
    quotes_per_day=400.0,
    trades_per_day=400.0,
    order_size_adv=0.03,
    order_size_dispersion=0.8,
    price_range=(40.0, 400.0),
    cancel_share=0.0,
)


def observations(ds: Dataset) -> pl.DataFrame:
    costs = order_costs(ds)
    sigma = ds.market_truth.select("symbol", "date", "sigma")
    costs = costs.join(sigma, on=["symbol", "date"]).join(
        daily_market_volume(ds), on=["symbol", "date"]
    )
    costs = isolated(costs)
    return costs.filter(pl.col("algo").is_in(SCHEDULED) & (pl.col("n") >= 10) & ~pl.col("clipped"))


def fit(obs: pl.DataFrame) -> tuple[float, float, float]:
    """gamma by least squares through the origin; (eta, beta) by non-linear least squares."""
    sigma, x, volume = (obs[c].to_numpy() for c in ("sigma", "X", "volume"))
    size = sigma * x / volume
    gamma = float(size @ obs["I"].to_numpy() / (size @ size))
    rate = x / (volume * obs["T"].to_numpy())
    temp = obs["temp"].to_numpy()
    res = least_squares(
        lambda p: p[0] * sigma * rate ** p[1] - temp, x0=[0.1, 0.5], bounds=([0, 0.05], [10, 2])
    )
    return gamma, float(res.x[0]), float(res.x[1])


def predicted_move(obs: pl.DataFrame, gamma: float, eta: float, beta: float) -> np.ndarray:
    """Mid move from arrival at the average fill: permanent already paid plus temporary."""
    sigma, x, volume = (obs[c].to_numpy() for c in ("sigma", "X", "volume"))
    rate = x / (volume * obs["T"].to_numpy())
    return obs["phi"].to_numpy() * gamma * sigma * x / volume + eta * sigma * rate**beta


@pytest.fixture(scope="module")
def fitted() -> tuple[float, float, float]:
    obs = observations(simulate(LAB.replace(seed=101)))
    assert obs.height > 150
    return fit(obs)


def test_fitted_parameters_are_the_true_ones(fitted: tuple[float, float, float]) -> None:
    gamma, eta, beta = fitted
    assert beta == pytest.approx(LAB.beta, abs=0.1)
    assert gamma == pytest.approx(LAB.gamma, rel=0.25)
    assert eta == pytest.approx(LAB.eta, rel=0.25)


def test_fitted_parameters_predict_another_seed(fitted: tuple[float, float, float]) -> None:
    obs = observations(simulate(LAB.replace(seed=202)))
    measured = obs["J"].to_numpy()
    predicted = predicted_move(obs, *fitted)
    r2 = 1 - ((measured - predicted) ** 2).sum() / ((measured - measured.mean()) ** 2).sum()
    assert r2 > 0.9
    assert predicted.mean() == pytest.approx(measured.mean(), rel=0.1)


def test_other_parameters_are_recovered_too() -> None:
    """Not a coincidence of the defaults: a different law is found just as well."""
    lab = LAB.replace(seed=303, gamma=0.6, eta=0.25, beta=0.8)
    gamma, eta, beta = fit(observations(simulate(lab)))
    assert beta == pytest.approx(0.8, abs=0.1)
    assert gamma == pytest.approx(0.6, rel=0.25)
    assert eta == pytest.approx(0.25, rel=0.25)
