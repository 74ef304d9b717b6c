"""The deployable unit: features, a point model, a noise scale and conformal scores.

``ImpactModel.fit`` splits its window by time: the earlier part fits the
features, the point model and the noise scale, the latest part (never seen by
the fit) calibrates the predictive distribution. What is pickled is what was
calibrated, so a promoted version predicts as it was validated; only the two
parametric baselines are refitted on the whole window afterwards (a few
parameters gain from every row and barely move the calibration).
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from typing import Any

import numpy as np
import polars as pl
from sklearn.linear_model import Ridge
from threadpoolctl import ThreadpoolController

from .catalog import TRACK_OF, hyperparameters_for, point_model
from .conformal import MIN_CALIBRATION, ConformalDistribution
from .features import FeatureSet, OrderFeatures
from .table import TARGETS, TOTAL, predictable, trainable

DEFAULT_THRESHOLD_BPS = 10.0
PARAMETRIC = ("sqrt", "almgren")
QUANTILES = (0.05, 0.5, 0.95)
SMALL_BATCH = 64
SCALE_FEATURES = (
    "log_sigma",
    "log_recent_vol",
    "log_duration",
    "log_size",
    "spread_bps",
    "fill_rate",
)
DRIFT_FEATURES = (
    "log_size",
    "log_sigma",
    "log_recent_vol",
    "spread_bps",
    "participation",
    "log_duration",
)
# Raw inputs whose training range is stored with the version: pre-trade falls back to
# a parametric law when a learned model would be asked outside them.
RANGE_FEATURES = ("size_adv", "volatility", "participation", "duration_s", "arrival_spread_bps")
PREDICTION_COLUMNS = (
    "order_id",
    "regime",
    *TARGETS,
    "q05_bps",
    "q50_bps",
    "q95_bps",
    "std_bps",
    "p_exceed",
    "threshold_bps",
)


@functools.cache
def _threads(xgboost_loaded: bool) -> ThreadpoolController:
    """Found once: scanning the loaded BLAS/OpenMP libraries costs milliseconds per call.

    Rescanned once xgboost (imported lazily, with its own OpenMP) has been loaded.
    """
    return ThreadpoolController()


def single_thread() -> Any:
    """One BLAS/OpenMP thread for the block (small matrices: threads only contend)."""
    return _threads("xgboost" in sys.modules).limit(limits=1)


def calibration_split(table: pl.DataFrame, share: float) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(fit, calibration): the latest whole days holding about ``share`` of the rows."""
    table = table.sort("arrival_time", "order_id")
    n_cal = max(MIN_CALIBRATION, round(table.height * share))
    if table.height < 2 * n_cal:
        raise ValueError(f"need at least {2 * n_cal} trainable orders, got {table.height}")
    boundary_day = table["trade_date"][table.height - n_cal]
    fit = table.filter(pl.col("trade_date") < boundary_day)
    if fit.height >= n_cal and table.height - fit.height >= MIN_CALIBRATION:
        return fit, table.filter(pl.col("trade_date") >= boundary_day)
    return table.head(table.height - n_cal), table.tail(n_cal)


def reference_bins(values: np.ndarray, n_bins: int = 10) -> dict[str, list[float]]:
    """Decile edges and fractions of a training input, for drift (PSI) checks later."""
    values = values[np.isfinite(values)]
    edges = np.unique(np.quantile(values, np.linspace(0, 1, n_bins + 1)[1:-1]))
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=edges.size + 1)
    return {"edges": edges.tolist(), "fractions": (counts / max(values.size, 1)).tolist()}


def input_ranges(table: pl.DataFrame) -> dict[str, list[float]]:
    """[min, max] of each RANGE_FEATURES input over the rows a model was fitted on."""
    out = {}
    for name in RANGE_FEATURES:
        values = table[name].drop_nulls()
        if values.len():
            out[name] = [float(values.min()), float(values.max())]  # type: ignore[arg-type]
    return out


class ImpactModel:
    """Predicts temporary, permanent and total cost (bps) with a predictive distribution."""

    def __init__(
        self,
        kind: str,
        hyperparameters: dict[str, Any] | None = None,
        *,
        calibration_share: float = 0.2,
        n_regimes: int = 3,
    ) -> None:
        self.kind = kind
        self.track = TRACK_OF[kind]
        self.hyperparameters = hyperparameters_for(kind, hyperparameters)
        self.calibration_share = calibration_share
        self.n_regimes = n_regimes

    def fit(self, table: pl.DataFrame) -> ImpactModel:
        with single_thread():  # small matrices: threads only contend
            return self._fit(table)

    def _fit(self, table: pl.DataFrame) -> ImpactModel:
        rows = trainable(table)
        fit, calibration = calibration_split(rows, self.calibration_share)
        signals = () if self.kind in PARAMETRIC else self.hyperparameters.get("signals", ())
        self.features_ = OrderFeatures(self.n_regimes, signals=signals).fit(fit)
        self.point_ = point_model(self.kind, self.hyperparameters).fit(fit, self.features_)

        fitted = self.features_.compute(fit)
        resid = fit[TOTAL].to_numpy() - self.point_.predict(fitted)[TOTAL]
        self.scale_ = Ridge(alpha=1.0).fit(
            fitted.matrix(SCALE_FEATURES), np.log(np.abs(resid) + 1.0)
        )
        center, scale = self._center_scale(self.features_.compute(calibration))
        self.conformal_ = ConformalDistribution((calibration[TOTAL].to_numpy() - center) / scale)
        if self.kind in PARAMETRIC:
            # A handful of parameters: refitting them on the whole window (calibration
            # days included) sharpens them and leaves the calibration all but exact.
            self.point_ = point_model(self.kind, self.hyperparameters).fit(rows, self.features_)
        self.reference_ = {
            name: reference_bins(fitted.columns[name].astype(float)) for name in DRIFT_FEATURES
        }
        self.input_ranges_ = input_ranges(rows)
        self.window_ = {
            "train_start": rows["trade_date"].min(),
            "train_end": rows["trade_date"].max(),
            "calibration_start": calibration["trade_date"].min(),
            "n_rows": rows.height,
            "n_fit": fit.height,
            "n_calibration": calibration.height,
        }
        return self

    @property
    def train_end(self) -> dt.date:
        return self.window_["train_end"]  # type: ignore[no-any-return]

    def _center_scale(
        self, features: FeatureSet, point: dict[str, np.ndarray] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        if point is None:
            point = self.point_.predict(features)
        # Ridge's prediction, without sklearn's per-call validation (a few rows at pre-trade).
        log_scale = features.matrix(SCALE_FEATURES) @ self.scale_.coef_ + self.scale_.intercept_
        return point[TOTAL], np.exp(log_scale)

    def predict(
        self,
        table: pl.DataFrame,
        threshold_bps: float = DEFAULT_THRESHOLD_BPS,
        *,
        with_inputs: bool = False,
    ) -> pl.DataFrame:
        """PREDICTION_COLUMNS (and DRIFT_FEATURES if asked) for the predictable rows."""
        rows = predictable(table)
        if rows.height == 0:
            names = [*PREDICTION_COLUMNS, *(DRIFT_FEATURES if with_inputs else ())]
            return pl.DataFrame(schema=dict.fromkeys(names, pl.Float64)).with_columns(
                pl.col("order_id", "regime").cast(pl.String)
            )
        features = self.features_.compute(rows)
        if rows.height > SMALL_BATCH:
            with single_thread():
                point = self.point_.predict(features)
        else:  # a few pre-trade rows: no thread pool to contend for, nothing to limit
            point = self.point_.predict(features)
        center, scale = self._center_scale(features, point)
        dist = self.conformal_
        lo, mid, hi = (dist.quantiles(center, scale, p) for p in QUANTILES)
        numbers = {
            **{t: point[t] for t in TARGETS},
            "q05_bps": lo,
            "q50_bps": mid,
            "q95_bps": hi,
            "std_bps": dist.std(scale),
            "p_exceed": dist.p_exceed(center, scale, threshold_bps),
            "threshold_bps": np.full(rows.height, threshold_bps),
        }
        # One 2-D block for the numbers: a Series per column costs more than the model.
        out = pl.DataFrame(
            [rows["order_id"], pl.Series("regime", features.regimes, dtype=pl.String)]
        ).hstack(pl.from_numpy(np.column_stack(list(numbers.values())), schema=list(numbers)))
        if with_inputs:
            out = out.with_columns(features.frame(DRIFT_FEATURES))
        return out

    def parameters(self) -> dict[str, Any]:
        return {
            **self.point_.parameters(),
            "regimes": self.features_.regimes_.describe(),
            "calibration_scores": self.conformal_.n,
        }
