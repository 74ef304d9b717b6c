"""Acceptance on the simulator's data: simulator → TCA engine → models, no database.

Out of sample means walk-forward: every block of days is predicted by models
fitted on earlier days only. Accuracy is judged against each order's true
expected cost from the simulator (realised costs are mostly price noise) and
reported against realised costs as well; intervals are judged on realised
costs. The measured figures are printed (``-s``) and quoted in docs/models.md.
"""

from __future__ import annotations

import json

import polars as pl
import pytest

from models_app.impact.baselines import AlmgrenForm
from models_app.impact.catalog import KINDS
from models_app.impact.market_state import market_state
from models_app.impact.metrics import evaluate
from models_app.impact.table import order_table_from_tca, trainable
from models_app.impact.walkforward import walk_forward
from tca.analytics import daily_bars, run_tca
from tca.sim import SimConfig, simulate

pytestmark = pytest.mark.slow
ML_KINDS = ("bayes_linear", "random_forest", "xgboost", "mlp")
LIGHT = {"random_forest": {"n_estimators": 80}, "xgboost": {"n_estimators": 150}}


@pytest.fixture(scope="module")
def demo() -> tuple[pl.DataFrame, dict]:  # type: ignore[type-arg]
    """The `demo` preset with the demo command's seed: ~3,200 orders over 20 days."""
    ds = simulate(SimConfig.preset("demo", seed=7))
    costs = run_tca(
        orders=ds.orders, fills=ds.fills, quotes=ds.quotes, trades=ds.trades,
        instruments=ds.instruments, daily=daily_bars(ds.trades, ds.instruments),
    ).order_costs  # fmt: skip
    state = market_state(costs, ds.quotes, ds.trades, ds.instruments)
    table = order_table_from_tca(costs, state).join(
        ds.truth.select("order_id", "expected_bps"), on="order_id"
    )
    return table, ds.params["impact"]


@pytest.fixture(scope="module")
def scores(demo) -> dict[str, dict]:  # type: ignore[no-untyped-def, type-arg]
    table, _ = demo
    preds = {
        kind: walk_forward(table, kind, LIGHT.get(kind), min_train_days=8, test_days=3)
        for kind in KINDS
    }
    out = {
        kind: evaluate(p, table, baseline=preds["sqrt"], reference="expected_bps")
        for kind, p in preds.items()
    }
    summary = {
        k: {
            "realised_mae": round(v["total_bps"]["mae"], 2),
            "expected_mae": round(v["expected_total"]["mae"], 2),
            "lift_vs_sqrt_expected": round(v["lift_over_sqrt_expected"], 3),
            "lift_vs_sqrt_realised": round(v["lift_over_sqrt"], 3),
            "coverage_90": round(v["total_bps"]["coverage_90"], 3),
            "n": v["total_bps"]["n"],
        }
        for k, v in out.items()
    }
    print("\nwalk-forward, demo preset seed 7:\n" + json.dumps(summary, indent=1))
    return out


def test_best_ml_model_beats_the_square_root_law_on_true_expected_cost(scores) -> None:  # type: ignore[no-untyped-def]
    best = max(ML_KINDS, key=lambda k: scores[k]["lift_over_sqrt_expected"])
    assert scores[best]["lift_over_sqrt_expected"] >= 0.15
    # Against realised costs the gain is small: they are dominated by price noise.
    assert scores[best]["total_bps"]["mae"] <= scores["sqrt"]["total_bps"]["mae"]


def test_ninety_percent_intervals_cover_realised_costs(scores) -> None:  # type: ignore[no-untyped-def]
    for kind, s in scores.items():
        assert 0.85 <= s["total_bps"]["coverage_90"] <= 0.95, kind


def test_almgren_parameters_recover_the_simulators(demo) -> None:  # type: ignore[no-untyped-def]
    table, truth = demo
    fit = AlmgrenForm().fit(trainable(table))
    p, se = fit.params_, fit.standard_errors_
    print(f"\nAlmgren fit: {json.dumps(fit.parameters())}\ntruth: {json.dumps(truth)}")
    assert abs(p["beta"] - truth["beta"]) <= 0.1
    assert abs(p["eta"] / truth["eta"] - 1) <= 0.25
    # γ·σ·X/V is a fraction of a bp for typical orders against ~90 bps of price noise
    # in the persistent move: the data pin γ down only to about ±2 standard errors of
    # ~0.8, not to ±25 % (see docs/models.md). The estimate must still be consistent.
    assert abs(p["gamma"] - truth["gamma"]) <= 3 * se["gamma"]


def test_almgren_form_is_identified_on_the_simulators_impact_alone() -> None:
    """γ, η and β recovered when the price moves only because of our orders.

    At the default noise γ cannot be pinned down (above; docs/models.md), so the
    estimator is checked where it must work: no exogenous price moves or impact
    noise (``noise=0``), no informed flow, and about one order per name and day,
    so orders rarely share a window (80 names × 40 days keeps ~2,600 orders).
    The measured σ20 is then close to zero, so the day's σ the simulator used
    is the volatility input. Out-of-sample is not the point here: the question
    is whether the fit has the right target, weights and exclusions.
    """
    config = SimConfig.preset(
        "demo", seed=7, noise=0.0, informed_share=0.0, orders_per_day=1.0,
        n_instruments=80, n_days=40,
    )  # fmt: skip
    ds = simulate(config)
    costs = run_tca(
        orders=ds.orders, fills=ds.fills, quotes=ds.quotes, trades=ds.trades,
        instruments=ds.instruments, daily=daily_bars(ds.trades, ds.instruments),
    ).order_costs  # fmt: skip
    table = trainable(
        order_table_from_tca(costs, market_state(costs, ds.quotes, ds.trades, ds.instruments))
    )
    true_sigma = ds.truth.select("order_id", pl.col("sigma").alias("true_sigma"))
    table = table.join(true_sigma, on="order_id").with_columns(volatility="true_sigma")
    fit = AlmgrenForm().fit(table)
    truth = ds.params["impact"]
    print(f"\nnoise-free Almgren fit: {json.dumps(fit.parameters())}")
    assert fit.n_fit_ >= 2000
    assert abs(fit.params_["beta"] - truth["beta"]) <= 0.1
    assert abs(fit.params_["eta"] / truth["eta"] - 1) <= 0.25
    assert abs(fit.params_["gamma"] / truth["gamma"] - 1) <= 0.25
