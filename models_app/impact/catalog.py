"""The model kinds the registry knows, their tracks and default hyperparameters.

Two tracks each hold one champion: ``cost`` serves the cost predictions stored
with orders (any kind may win it), ``permanent`` serves the TCA engine's
permanent-impact term and is held by the Almgren-form fit.
"""

from __future__ import annotations

from typing import Any

from .baselines import AlmgrenForm, SqrtLaw
from .learners import LEARNERS, FeatureLearner

COST, PERMANENT = "cost", "permanent"
KINDS: tuple[str, ...] = ("sqrt", "almgren", "bayes_linear", "random_forest", "xgboost", "mlp")
BASELINE = "sqrt"
TRACK_OF: dict[str, str] = dict.fromkeys(KINDS, COST) | {"almgren": PERMANENT}
DEFAULT_HYPERPARAMETERS: dict[str, dict[str, Any]] = {
    "sqrt": {},
    "almgren": {"beta_bounds": [0.05, 1.5]},
    "bayes_linear": {"max_iter": 300},
    "random_forest": {"n_estimators": 150, "min_samples_leaf": 40, "max_features": 0.5},
    "xgboost": {
        "n_estimators": 200,
        "max_depth": 3,
        "learning_rate": 0.03,
        "min_child_weight": 30,
        "subsample": 0.8,
        "reg_lambda": 10.0,
        "huber_slope": 30.0,
    },
    "mlp": {"hidden_layer_sizes": [32, 16], "alpha": 1.0, "max_iter": 400},
}


def hyperparameters_for(kind: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}; choose from {', '.join(KINDS)}")
    return {**DEFAULT_HYPERPARAMETERS[kind], **(overrides or {})}


def point_model(kind: str, hyperparameters: dict[str, Any]) -> Any:
    """A fresh, unfitted point model of ``kind``."""
    if kind == "sqrt":
        return SqrtLaw()
    if kind == "almgren":
        return AlmgrenForm(beta_bounds=tuple(hyperparameters.get("beta_bounds", (0.05, 1.5))))
    if kind in LEARNERS:
        return FeatureLearner(kind, hyperparameters)
    raise ValueError(f"unknown model kind {kind!r}")
