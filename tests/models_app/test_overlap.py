"""Own-order overlaps and the overlap-class weights of the baseline fits."""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from models_app.impact.baselines import AlmgrenForm
from models_app.impact.overlap import class_weights, own_overlaps
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


def test_class_weights_follow_each_class_residual_spread() -> None:
    rng = np.random.default_rng(0)
    overlaps = np.repeat([0, 1, 5], 400)
    resid = np.concatenate(
        [rng.normal(0, 1, 400), rng.normal(0, 2, 400), rng.normal(0, 4, 400)]
    )
    w = class_weights(overlaps, resid)
    # Relative weights are 1/σ of the class: 1 : 1/2 : 1/4.
    assert w[0] / w[400] == pytest.approx(2.0, rel=0.1)
    assert w[0] / w[800] == pytest.approx(4.0, rel=0.1)
    # A class of fewer than 30 rows takes the pooled variance.
    small = class_weights(np.array([0] * 100 + [1] * 5), np.r_[np.ones(100), 10 * np.ones(5)])
    assert small[-1] == pytest.approx(1.0)


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
