"""Model inputs from the order table, fitted once and applied identically everywhere.

``OrderFeatures`` learns what it needs from the training window only (medians
for missing values, the categories worth a column, the regime mixture) and is
pickled with the model, so a prediction months later transforms its order
exactly as the training rows were transformed.

Execution descriptors (participation, duration, passive share, fill rate) are
the order's plan: at pre-trade time they come from the strategy, for stored
orders from how the order was worked. Market inputs (σ20, ADV20, spread,
recent volatility, volume and depth) are all measured strictly before arrival.

The arithmetic is numpy on whole columns, read out of the table once: the
same code serves a training window of 10⁵ orders and a pre-trade request of
three rows, where a lazy frame per expression would cost more than the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from .regimes import RegimeModel
from .signals import signal_column

SESSION_MINUTES = 390.0
MIN_DURATION_S = 60.0
MIN_CATEGORY_ROWS = 20
CLIP_QUANTILE = 0.005

Columns = dict[str, np.ndarray]

# Columns imputed with their training median when missing.
_IMPUTED = (
    "volatility",
    "recent_vol",
    "arrival_spread_bps",
    "participation",
    "passive_share",
    "time_of_day",
    "recent_volume",
    "depth_adv",
)
# Order-table columns the features read: numbers (NaN where null) and categories.
NUMERIC_INPUTS = (*_IMPUTED, "session_minutes", "size_adv", "duration_s", "fill_rate", "side")
CATEGORY_INPUTS = ("algo", "broker")
BASE_FEATURES = (
    "log_sigma",
    "log_recent_vol",
    "log_size",
    "log_duration",
    "log_rate",
    "participation",
    "spread_bps",
    "passive_share",
    "fill_rate",
    "time_of_day",
    "side",
    "log_recent_volume",
    "log_depth",
)
PHYSICS_FEATURES = (
    "sig_sqrt_size",
    "sig_size",
    "sig_rate_half",
    "sig_rate",
    "rv_rate_half",
    "spread_aggressive",
    "spread_passive",
    "sigma_bps",
    "recent_vol_bps",
)


def input_columns(table: pl.DataFrame, signals: Sequence[str] = ()) -> Columns:
    """The inputs as arrays (NaN for null); an absent column reads as unknown.

    Column by column: for a few pre-trade rows a lazy select costs more than
    the model, and for a training window a null-free float column is zero-copy.
    """
    unknown = np.full(table.height, np.nan)
    out = {
        name: table[name].to_numpy().astype(float, copy=False) if name in table.columns else unknown
        for name in (*NUMERIC_INPUTS, *(signal_column(n) for n in signals))
    }
    for name in CATEGORY_INPUTS:
        out[name] = (
            table[name].to_numpy() if name in table.columns else np.full(table.height, None, object)
        )
    return out


def _side_signal(name: str) -> str:
    return f"side_{signal_column(name)}"


def _fill(x: np.ndarray, value: float) -> np.ndarray:
    return np.where(np.isnan(x), value, x)


def _log(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x)


@dataclass(frozen=True)
class FeatureSet:
    """One table's inputs, features and regimes, computed once per prediction."""

    inputs: Columns  # raw, unfilled (the baselines impute σ their own way)
    columns: Columns
    regimes: np.ndarray

    def matrix(self, names: Sequence[str]) -> np.ndarray:
        return np.column_stack([self.columns[n] for n in names]).astype(float, copy=False)

    def frame(self, names: Sequence[str] | None = None) -> pl.DataFrame:
        return pl.DataFrame({n: self.columns[n] for n in (names or self.columns)})


class OrderFeatures:
    """Fit on a training table; ``compute`` gives named float columns.

    ``signals`` are alternative-data names (``signals.py``) the model uses: each
    gives its value as of arrival (``signal:<name>``, the training median when
    unknown) and that value signed by the order's side (``side_signal:<name>``,
    positive when the signal says the price moves against the order).
    """

    def __init__(self, n_regimes: int = 3, signals: Sequence[str] = ()) -> None:
        self.n_regimes = n_regimes
        self.signals_ = tuple(signals)

    @property
    def signals(self) -> tuple[str, ...]:
        return getattr(self, "signals_", ())  # versions saved before signals existed have none

    def signal_features(self) -> list[str]:
        return [c for n in self.signals for c in (signal_column(n), _side_signal(n))]

    def fit(self, table: pl.DataFrame) -> OrderFeatures:
        self.medians_ = {}
        for name in _IMPUTED:
            value = table[name].median()
            self.medians_[name] = float(value) if value is not None else 0.0  # type: ignore[arg-type]
        self.categories_ = {
            col: sorted(
                v
                for v, n in table[col].drop_nulls().value_counts().iter_rows()
                if n >= MIN_CATEGORY_ROWS
            )
            for col in CATEGORY_INPUTS
        }
        for name in self.signals:
            column = signal_column(name)
            value = table[column].median() if column in table.columns else None
            self.medians_[column] = float(value) if value is not None else 0.0  # type: ignore[arg-type]
        filled = self._filled(input_columns(table, self.signals))
        self.regimes_ = RegimeModel(self.n_regimes).fit(filled)
        # The clip range uses polars' quantile (nearest rank), nulls ignored.
        self.bounds_ = {
            c: (
                float(s.quantile(CLIP_QUANTILE)),  # type: ignore[arg-type]
                float(s.quantile(1 - CLIP_QUANTILE)),  # type: ignore[arg-type]
            )
            for c, values in self._all_numeric(filled).items()
            for s in [pl.Series(values).fill_nan(None)]
        }
        return self

    def _filled(self, raw: Columns) -> Columns:
        """Missing σ20 (too little history) falls back to the recent intraday σ, the
        recent σ to σ20, and whatever is still missing to the training median."""
        vol, recent = raw["volatility"], raw["recent_vol"]
        out = dict(raw)
        out["volatility"] = np.where(np.isnan(vol), recent, vol)
        out["recent_vol"] = np.where(np.isnan(recent), vol, recent)
        for name in (*_IMPUTED, *(signal_column(n) for n in self.signals)):
            out[name] = _fill(out[name], self.medians_[name])
        return out

    def compute(self, table: pl.DataFrame) -> FeatureSet:
        """Every feature column (BASE, PHYSICS and one-hot groups) for ``table``'s rows.

        Numeric columns are clipped to the training range (0.5 % and 99.5 %
        quantiles), so a rare extreme order cannot make a fitted curve extrapolate.
        """
        raw = input_columns(table, self.signals)
        t = self._filled(raw)
        numeric = self._all_numeric(t)
        lo, hi = np.array([self.bounds_[c] for c in numeric]).T
        block = np.clip(np.vstack(list(numeric.values())), lo[:, None], hi[:, None])
        columns = dict(zip(numeric, block, strict=True))
        regimes = self.regimes_.predict(t)
        for name in self.regime_names:
            columns[f"regime={name}"] = (regimes == name).astype(float)
        for col, values in self.categories_.items():
            for v in values:
                columns[f"{col}={v}"] = (t[col] == v).astype(float)
        return FeatureSet(raw, columns, regimes)

    def transform(self, table: pl.DataFrame) -> pl.DataFrame:
        return self.compute(table).frame()

    def regimes(self, table: pl.DataFrame) -> np.ndarray:
        return self.regimes_.predict(self._filled(input_columns(table, self.signals)))

    @property
    def regime_names(self) -> list[str]:
        return self.regimes_.names

    def _all_numeric(self, t: Columns) -> Columns:
        out = self._numeric(t)
        for name in self.signals:
            value = t[signal_column(name)]
            out[signal_column(name)] = value
            out[_side_signal(name)] = value * t["side"]
        return out

    @staticmethod
    def _numeric(t: Columns) -> Columns:
        session = _fill(t["session_minutes"], SESSION_MINUTES)
        sig = np.clip(t["volatility"], 1e-4, None) * 1e4
        rv = np.clip(t["recent_vol"], 1e-4, None) * 1e4
        size = np.clip(t["size_adv"], 1e-7, None)
        duration = np.clip(_fill(t["duration_s"], MIN_DURATION_S), MIN_DURATION_S, None)
        days = duration / (session * 60.0)
        rate = size / days
        fr = np.clip(_fill(t["fill_rate"], 1.0), 0.0, 1.0)
        ps = np.clip(t["passive_share"], 0.0, 1.0)
        spread = np.clip(t["arrival_spread_bps"], 0.0, None)
        return {
            "log_sigma": _log(sig),
            "log_recent_vol": _log(rv),
            "log_size": _log(size),
            "log_duration": _log(days),
            "log_rate": _log(rate),
            "participation": np.clip(t["participation"], 0.0, 1.0),
            "spread_bps": spread,
            "passive_share": ps,
            "fill_rate": fr,
            "time_of_day": np.clip(t["time_of_day"], 0.0, 1.0),
            "side": t["side"],
            "log_recent_volume": _log(np.clip(t["recent_volume"], 1e-3, None)),
            "log_depth": _log(np.clip(t["depth_adv"], 1e-7, None)),
            "sig_sqrt_size": sig * np.sqrt(size) * fr,
            "sig_size": sig * size * fr,
            "sig_rate_half": sig * np.sqrt(rate) * fr,
            "sig_rate": sig * rate * fr,
            "rv_rate_half": rv * np.sqrt(rate) * fr,
            "spread_aggressive": spread * (1.0 - ps) * fr,
            "spread_passive": spread * ps * fr,
            "sigma_bps": sig,
            "recent_vol_bps": rv,
        }

    def groups(self) -> dict[str, list[str]]:
        """Names of the one-hot columns by source (regime, algo, broker)."""
        return {
            "regime": [f"regime={n}" for n in self.regime_names],
            **{c: [f"{c}={v}" for v in vs] for c, vs in self.categories_.items()},
        }
