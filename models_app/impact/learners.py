"""Machine-learning impact models: one regressor per target on ``OrderFeatures``.

Bayesian linear regression sees the physics-shaped columns (σ·√size,
σ·rate^½ …), so a linear fit can express the square-root and Almgren shapes;
trees and the network get the raw inputs as well and find the shape
themselves. Every learner predicts the temporary, permanent and total cost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl
from sklearn import config_context
from sklearn.base import RegressorMixin, clone
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import BayesianRidge
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .features import BASE_FEATURES, PHYSICS_FEATURES, FeatureSet, OrderFeatures
from .forest import TreeStack
from .table import TARGETS


def _bayes_linear(hp: dict[str, Any]) -> RegressorMixin:
    return make_pipeline(StandardScaler(), BayesianRidge(max_iter=hp.get("max_iter", 300)))


def _random_forest(hp: dict[str, Any]) -> RegressorMixin:
    return RandomForestRegressor(
        n_estimators=hp.get("n_estimators", 150),
        min_samples_leaf=hp.get("min_samples_leaf", 40),
        max_features=hp.get("max_features", 0.5),
        n_jobs=hp.get("n_jobs", 1),
        random_state=hp.get("seed", 0),
    )


def _xgboost(hp: dict[str, Any]) -> RegressorMixin:
    import xgboost as xgb

    return xgb.XGBRegressor(
        n_estimators=hp.get("n_estimators", 200),
        max_depth=hp.get("max_depth", 3),
        learning_rate=hp.get("learning_rate", 0.03),
        min_child_weight=hp.get("min_child_weight", 30),
        subsample=hp.get("subsample", 0.8),
        reg_lambda=hp.get("reg_lambda", 10.0),
        objective="reg:pseudohubererror",
        huber_slope=hp.get("huber_slope", 30.0),
        n_jobs=hp.get("n_jobs", 1),
        random_state=hp.get("seed", 0),
    )


def _mlp(hp: dict[str, Any]) -> RegressorMixin:
    return make_pipeline(
        StandardScaler(),
        MLPRegressor(
            hidden_layer_sizes=tuple(hp.get("hidden_layer_sizes", (32, 16))),
            alpha=hp.get("alpha", 1.0),
            learning_rate_init=hp.get("learning_rate_init", 1e-3),
            max_iter=hp.get("max_iter", 400),
            early_stopping=True,
            n_iter_no_change=20,
            random_state=hp.get("seed", 0),
        ),
    )


LEARNERS: dict[str, tuple[Callable[[dict[str, Any]], RegressorMixin], bool]] = {
    # kind: (estimator factory, sees the raw base inputs too)
    "bayes_linear": (_bayes_linear, False),
    "random_forest": (_random_forest, True),
    "xgboost": (_xgboost, True),
    "mlp": (_mlp, True),
}


SMALL_BATCH = 64  # rows up to which tree ensembles are walked together (forest.py)

# A pre-trade request predicts three rows, where the pipelines' per-call checks cost
# ten times the arithmetic. The linear model and the network are evaluated from
# their fitted attributes instead; tests hold both to sklearn's own predict.


def _as_float(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=float)


def _linear(pipeline: Any, x: np.ndarray) -> np.ndarray:
    """StandardScaler → BayesianRidge folded into one weight vector."""
    scaler, ridge = pipeline[0], pipeline[-1]
    weights = ridge.coef_ / scaler.scale_
    return np.asarray(x @ weights + (ridge.intercept_ - scaler.mean_ @ weights), dtype=float)


def _relu_network(pipeline: Any, x: np.ndarray) -> np.ndarray:
    """StandardScaler → MLPRegressor (ReLU hidden layers, identity output)."""
    scaler, net = pipeline[0], pipeline[-1]
    h = (x - scaler.mean_) / scaler.scale_
    last = len(net.coefs_) - 1
    for i, (w, b) in enumerate(zip(net.coefs_, net.intercepts_, strict=True)):
        h = h @ w + b
        if i < last:
            np.maximum(h, 0.0, out=h)
    return np.asarray(h[:, 0], dtype=float)


class FeatureLearner:
    """One scikit-learn regressor per target on the fitted ``OrderFeatures`` columns."""

    def __init__(self, kind: str, hyperparameters: dict[str, Any] | None = None) -> None:
        if kind not in LEARNERS:
            raise ValueError(f"unknown learner {kind!r}")
        self.kind = kind
        self.hyperparameters = dict(hyperparameters or {})

    def _columns(self) -> list[str]:
        _, raw = LEARNERS[self.kind]
        cols = [*PHYSICS_FEATURES, *(BASE_FEATURES if raw else ())]
        for group in self.features_.groups().values():
            cols += group
        return [*cols, *self.features_.signal_features()]

    def fit(self, table: pl.DataFrame, features: OrderFeatures) -> FeatureLearner:
        self.features_ = features
        x = features.compute(table).matrix(self._columns())
        factory, _ = LEARNERS[self.kind]
        template = factory(self.hyperparameters)
        self.models_ = {
            t: clone(template).fit(x, table[t].to_numpy().astype(float)) for t in TARGETS
        }
        return self

    def predict(self, features: FeatureSet) -> dict[str, np.ndarray]:
        x = features.matrix(self._columns())
        if self.kind == "bayes_linear":
            return {t: _linear(m, x) for t, m in self.models_.items()}
        if self.kind == "mlp" and self.models_["total_bps"][-1].activation == "relu":
            return {t: _relu_network(m, x) for t, m in self.models_.items()}
        if self.kind in ("random_forest", "xgboost") and x.shape[0] <= SMALL_BATCH:
            return self._trees().predict(x)
        if self.kind == "xgboost":  # the booster itself: the wrapper re-reads its config
            boosters = {t: m.get_booster() for t, m in self.models_.items()}
            return {t: _as_float(b.inplace_predict(x)) for t, b in boosters.items()}
        # Inputs are ours and finite: sklearn's per-call validation would cost more
        # than the prediction of a few pre-trade rows.
        with config_context(assume_finite=True, skip_parameter_validation=True):
            return {t: np.asarray(m.predict(x), dtype=float) for t, m in self.models_.items()}

    def _trees(self) -> TreeStack:
        if getattr(self, "trees_", None) is None:
            self.trees_ = (
                TreeStack.from_forests(self.models_)
                if self.kind == "random_forest"
                else TreeStack.from_boosters({t: m.get_booster() for t, m in self.models_.items()})
            )
        return self.trees_

    def __getstate__(self) -> dict[str, Any]:
        """The stacked trees are rebuilt on first use: an artifact holds each tree once."""
        return {k: v for k, v in self.__dict__.items() if k != "trees_"}

    def parameters(self) -> dict[str, Any]:
        if self.kind != "bayes_linear":
            return {}
        cols = self._columns()
        model = self.models_["total_bps"]
        scaler, ridge = model[0], model[-1]
        coef = ridge.coef_ / scaler.scale_
        return {"total_coefficients": {c: float(v) for c, v in zip(cols, coef, strict=True)}}
