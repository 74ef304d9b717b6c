"""Own-order overlaps and the overlap-class weights of the baseline fits."""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from models_app.impact.baselines import AlmgrenForm
from models_app.impact.overlap import noise_weights, own_overlaps
from tests.models_app.synthetic import almgren_table

T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def orders(*rows: tuple[str, int, float, float]) -> pl.DataFrame:
    """(symbol, day offset, minutes after T0, duration in minutes) per order."""
    return pl.DataFrame(
        {
            "symbol": [r[0] for r in rows],
            "trade_date": [(T0 + dt.timedelta(days=r[1])).date() for r in rows],
            "arrival_time": [T0 + dt.timedelta(days=r[1], minutes=r[2]) for r in rows],
            "duration_s": [r[3] * 60.0 for r in rows],
        }
    ).with_columns(pl.col("arrival_time").cast(pl.Datetime("ns", "UTC")))


def test_overlaps_count_other_orders_of_the_name_live_in_the_window() -> None:
    table = orders(
        ("AAA", 0, 0, 10),  # window [0, 40) with a 30-minute post horizon
        ("AAA", 0, 35, 10),  # starts inside the first's window
        ("AAA", 0, 100, 5),  # alone: after both windows
        ("BBB", 0, 0, 10),  # other name
        ("AAA", 1, 0, 10),  # same name, next day
    )
    assert own_overlaps(table, post_horizon_s=1800.0).tolist() == [1, 1, 0, 0, 0]
    # Without the post horizon the first two no longer touch.
    assert own_overlaps(table, post_horizon_s=0.0).tolist() == [0, 0, 0, 0, 0]


def test_overlaps_equal_a_pairwise_count() -> None:
    rng = np.random.default_rng(4)
    n = 600
    table = orders(
        *[
            (str(rng.choice(["AAA", "BBB", "CCC"])), int(rng.integers(0, 3)),
             float(rng.uniform(0, 300)), float(rng.uniform(0, 60)))
            for _ in range(n)
        ]
    )  # fmt: skip
    start = table["arrival_time"].dt.epoch("us").to_numpy()
    end = start + ((table["duration_s"].to_numpy() + 600.0) * 1e6).astype(np.int64)
    same = (table["symbol"].to_numpy()[:, None] == table["symbol"].to_numpy()[None, :]) & (
        table["trade_date"].to_numpy()[:, None] == table["trade_date"].to_numpy()[None, :]
    )
    live = (start[None, :] < end[:, None]) & (end[None, :] > start[:, None])
    expected = (same & live).sum(axis=1) - 1
    assert own_overlaps(table, post_horizon_s=600.0).tolist() == expected.tolist()


def test_noise_weights_add_each_class_extra_variance_to_the_markets() -> None:
    rng = np.random.default_rng(0)
    n = 4000
    weight = rng.uniform(0.5, 2.0, 3 * n)
    overlaps = np.repeat([0, 1, 4], n)
    tau = np.repeat([0.0, 3.0, 6.0], n)
    sd = np.sqrt(1.0 / weight**2 + tau**2)
    resid = rng.normal(0.0, 1.0, 3 * n) * sd
    w = noise_weights(overlaps, resid, weight)
    ratio = w * sd  # constant when the variance model is recovered
    assert ratio.std() / ratio.mean() < 0.05
    # Without enough orders alone there is no market variance to start from.
    few = noise_weights(np.r_[[0] * 5, [1] * 100], np.ones(105), np.ones(105))
    assert few.tolist() == [1.0] * 105


def test_orders_whose_post_horizon_was_cut_do_not_move_gamma() -> None:
    table = almgren_table(noise=0.02, seed=3)
    # A third of the orders end near the close: their persistent move keeps 5 bps of
    # temporary impact per 1 % of ADV, which a fit would read as permanent impact.
    cut = np.arange(table.height) % 3 == 0
    polluted = table.with_columns(
        pl.when(pl.Series(cut))
        .then(pl.col("permanent_bps") + 500.0 * pl.col("size_adv"))
        .otherwise(pl.col("permanent_bps"))
        .alias("permanent_bps"),
        pl.Series("post_clipped", cut),
    )
    fitted = AlmgrenForm().fit(polluted).params_["gamma"]
    assert fitted == pytest.approx(0.314, rel=0.1)
    assert AlmgrenForm().fit(polluted.drop("post_clipped")).params_["gamma"] > 0.5
