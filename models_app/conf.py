"""Settings of the model loop, with defaults; override any of them in ``FOOTPRINT_MODELS``.

Example (settings): ``FOOTPRINT_MODELS = {"four_eyes": False, "monitor_bias_bps": 8}``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class ModelsConf:
    four_eyes: bool = True  # the promoter must not be who triggered the training
    kinds: tuple[str, ...] = (
        "sqrt", "almgren", "bayes_linear", "random_forest", "xgboost", "mlp",
    )  # fmt: skip
    hyperparameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    holdout_days: int = 3  # latest trade dates held out to compare challengers and champion
    min_train_days: int = 5  # holdout: history a registered fit needs besides the holdout
    # walk-forward: trade dates before the first predicted block; one day is enough
    # once daily history gives σ20 and ADV20 from the first day, and every later
    # order then carries the prediction a model fitted on earlier days made for it
    walk_forward_first_days: int = 1
    walk_forward_days: int = 3  # walk-forward: trade dates per predicted block
    threshold_bps: float = 10.0  # P(cost > threshold) stored with each prediction
    monitor_window_days: int = 5  # trade dates of residuals each monitoring run looks at
    monitor_min_orders: int = 30  # fewer residuals than this: no verdict
    monitor_bias_bps: float = 5.0  # |bias| must exceed this ...
    monitor_bias_z: float = 3.0  # ... and this many standard errors
    monitor_mae_ratio: float = 1.5  # recent MAE over the version's holdout MAE
    monitor_psi: float = 0.25  # population stability index of any watched input
    # alternative data: a learned kind uses the signals named in its hyperparameters
    # ({"xgboost": {"signals": ["sentiment"]}}); a value older than this is not used
    signal_max_age_days: float = 1.0

    def signal_names(self) -> list[str]:
        """Every signal a configured kind uses (the order table joins these)."""
        names: set[str] = set()
        for kind in self.kinds:
            names.update(self.hyperparameters.get(kind, {}).get("signals", ()))
        return sorted(names)


def models_conf() -> ModelsConf:
    overrides = dict(getattr(settings, "FOOTPRINT_MODELS", {}) or {})
    known = {f.name for f in dataclasses.fields(ModelsConf)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"FOOTPRINT_MODELS: unknown setting(s) {', '.join(sorted(unknown))}")
    if "kinds" in overrides:
        overrides["kinds"] = tuple(overrides["kinds"])
    return ModelsConf(**overrides)
