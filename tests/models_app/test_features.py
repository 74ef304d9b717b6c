"""The numpy feature pipeline and the models' direct evaluation agree with the libraries.

Pre-trade predicts three rows, so the features are numpy over columns and the
linear model, the network, the booster and the regime mixture are evaluated
from their fitted attributes. These tests hold each shortcut to the library's
own answer, and a request's rows to the same rows predicted inside a batch.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.mixture import GaussianMixture

from models_app.impact.features import OrderFeatures
from models_app.impact.model import ImpactModel
from models_app.impact.regimes import _most_likely

from .synthetic import almgren_table

LEARNED = ("bayes_linear", "xgboost", "mlp", "random_forest")


@pytest.fixture(scope="module")
def table() -> pl.DataFrame:
    return almgren_table(1500, seed=3)


@pytest.fixture(scope="module")
def fitted(table: pl.DataFrame) -> dict[str, ImpactModel]:
    light = {
        "xgboost": {"n_estimators": 40},
        "mlp": {"max_iter": 60},
        "random_forest": {"n_estimators": 40, "min_samples_leaf": 10},
    }
    return {k: ImpactModel(k, light.get(k)).fit(table) for k in ("sqrt", "almgren", *LEARNED)}


def test_a_row_with_missing_inputs_is_imputed_by_hand(table: pl.DataFrame) -> None:
    features = OrderFeatures().fit(table)
    row = table.head(1).with_columns(
        pl.lit(None, pl.Float64).alias("volatility"),
        pl.lit(0.03).alias("recent_vol"),
        pl.lit(None, pl.Float64).alias("arrival_spread_bps"),
        pl.lit(None, pl.Float64).alias("duration_s"),
        pl.lit(0.002).alias("size_adv"),
        pl.lit(None, pl.Float64).alias("fill_rate"),
        pl.lit(0.25).alias("passive_share"),
    )
    got = features.compute(row).columns
    spread = features.medians_["arrival_spread_bps"]
    days = 60.0 / (390 * 60.0)  # a missing duration is one minute
    sigma_bps = 300.0  # σ20 falls back to the recent σ
    expected = {
        "log_sigma": math.log(sigma_bps),
        "log_size": math.log(0.002),
        "log_duration": math.log(days),
        "sig_sqrt_size": sigma_bps * math.sqrt(0.002),
        "sig_rate": sigma_bps * 0.002 / days,
        "spread_aggressive": spread * 0.75,
        "spread_passive": spread * 0.25,
        "fill_rate": 1.0,
    }
    for name, value in expected.items():
        lo, hi = features.bounds_[name]
        assert got[name][0] == pytest.approx(min(max(value, lo), hi), rel=1e-12), name


def test_rows_predict_alone_as_they_do_in_a_batch(
    table: pl.DataFrame, fitted: dict[str, ImpactModel]
) -> None:
    few = table.slice(700, 3)
    for kind, model in fitted.items():
        batch = model.predict(table).filter(pl.col("order_id").is_in(few["order_id"].implode()))
        alone = model.predict(few)
        assert alone["regime"].to_list() == batch["regime"].to_list(), kind
        np.testing.assert_allclose(
            alone.select(pl.col(pl.Float64)).to_numpy(),
            batch.select(pl.col(pl.Float64)).to_numpy(),
            rtol=1e-9,
            atol=1e-9,
            err_msg=kind,
        )


def test_direct_evaluation_equals_the_libraries_predict(
    table: pl.DataFrame, fitted: dict[str, ImpactModel]
) -> None:
    for kind in LEARNED:
        point = fitted[kind].point_
        for rows in (table, table.slice(100, 50)):  # a batch, and what pre-trade sends
            features = fitted[kind].features_.compute(rows)
            x = features.matrix(point._columns())
            direct = point.predict(features)
            for target, estimator in point.models_.items():
                np.testing.assert_allclose(
                    direct[target], estimator.predict(x), rtol=1e-9, atol=1e-9, err_msg=kind
                )


def test_the_scale_model_is_ridges_own_prediction(
    table: pl.DataFrame, fitted: dict[str, ImpactModel]
) -> None:
    model = fitted["bayes_linear"]
    features = model.features_.compute(table)
    _, scale = model._center_scale(features)
    from models_app.impact.model import SCALE_FEATURES

    expected = np.exp(model.scale_.predict(features.matrix(SCALE_FEATURES)))
    np.testing.assert_allclose(scale, expected, rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(k=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_the_regime_of_a_state_is_the_mixtures_prediction(k: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    train = rng.normal(size=(200, 4)) * rng.uniform(0.5, 2, 4) + rng.normal(size=4)
    gmm = GaussianMixture(k, covariance_type="full", random_state=seed, reg_covar=1e-3)
    gmm.fit(train)
    probe = rng.normal(size=(300, 4)) * 2
    np.testing.assert_array_equal(_most_likely(gmm, probe), gmm.predict(probe))
