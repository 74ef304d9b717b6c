"""The truth file describes what the data shows: TCA measured on the data meets it."""

from __future__ import annotations

import polars as pl
import pytest

from tca.sim import Dataset, SimConfig, simulate

from .measures import asof_mid, isolated, mids, order_costs


def _with_truth(ds: Dataset) -> pl.DataFrame:
    truth = ds.truth.select(
        "order_id", "expected_cost", "permanent_cost", "informed_cost", "decision_mid"
    )
    return isolated(order_costs(ds)).join(truth, on="order_id")


def test_expected_cost_is_the_noiseless_measured_cost(noiseless: Dataset) -> None:
    """Without noise, execution cost vs the arrival mid is the truth's expected cost,
    up to tick rounding of the quoted mid."""
    got = _with_truth(noiseless).with_columns(
        gap_bps=(pl.col("execution") - pl.col("expected_cost"))
        / (pl.col("quantity") * pl.col("decision_mid"))
        * 1e4
    )
    assert got.height >= 10
    assert got.select(pl.corr("execution", "expected_cost")).item() > 0.99
    assert got["gap_bps"].abs().median() < 1.5


def test_informed_drift_shows_in_the_persistent_move() -> None:
    ds = simulate(SimConfig.preset("small", seed=11, noise=0.0, informed_share=1.0))
    got = _with_truth(ds).with_columns(
        persistent=pl.col("I") * pl.col("X") * pl.col("P_a"),
        true=pl.col("permanent_cost") + pl.col("informed_cost"),
    )
    assert ds.truth["informed"].all()
    assert got.select(pl.corr("persistent", "true")).item() > 0.95
    assert got["persistent"].sum() == pytest.approx(got["true"].sum(), rel=0.1)


def test_reference_prices_follow_the_spec(small: Dataset) -> None:
    """Truth bps are of Q·P_d with P_d the mid strictly before the decision time."""
    orders = small.orders.with_columns(decided=pl.coalesce("decision_time", "arrival_time"))
    measured = asof_mid(orders, "decided", mids(small), "P_d").select("order_id", "P_d")
    truth = small.truth.join(measured, on="order_id")
    assert (truth["decision_mid"] == truth["P_d"]).all()
    bps = truth["temporary_cost"] / (truth["quantity"] * truth["P_d"]) * 1e4
    assert (bps - truth["temporary_bps"]).abs().max() < 1e-9


def test_truth_columns(small: Dataset) -> None:
    t = small.truth
    for name in ("spread", "temporary", "permanent", "permanent_paid", "informed", "expected"):
        assert f"{name}_cost" in t.columns and f"{name}_bps" in t.columns
    assert (t["temporary_cost"] >= 0).all() and (t["permanent_cost"] >= 0).all()
    assert (t.filter(~pl.col("informed"))["informed_cost"] == 0).all()
    assert (t.filter(pl.col("informed"))["informed_cost"] >= 0).all()
    assert set(t["regime"]) <= {"calm", "volatile", "news"}
    assert (t["gamma"] == small.config.gamma).all()
    done = t.filter(pl.col("executed") > 0)
    assert done["temp_model_bps"].null_count() == 0
    assert done["perm_model_bps"].to_numpy() == pytest.approx(
        (done["gamma"] * done["sigma"] * done["executed"] / done["volume"] * 1e4).to_numpy()
    )
