"""Parametric baselines fitted by least squares on our own orders.

- Square-root law: cost = Y·σ·√(X/ADV), one Y per target.
- Almgren et al. (2005) form, without their turnover term: the persistent move
  I = γ·σ·X/V + a·σ (a·σ is the average adverse selection, which would
  otherwise be read as impact), and the realised temporary cost
  J − I/2 = η·σ·|X/(V·T)|^β with J the impact part of the arrival cost and T
  the duration in days, as in the paper. Both fits are weighted by
  1/(σ·√(T + H)) because the price noise in every measured move grows with σ
  and with the time it is exposed for. Orders whose post horizon was cut at
  the close are left out of both fits: their persistent move still holds
  temporary impact, which would be read as permanent (on noise-free
  simulations it doubles γ). Our other orders in the same name inside an
  order's window add noise of their own, so each fit is done twice, the
  second time with weights from a variance model that adds an extra variance
  per overlap class to the market's (``overlap.py``).

σ is σ20 and V is ADV20: the very inputs the TCA engine gives the permanent
term (``tca.costs.permanent``), so the fitted γ means the same thing there.
Costs are in bps of paper notional, hence the fill-rate factor everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy.optimize import least_squares, lsq_linear

from .features import (
    MIN_DURATION_S,
    SESSION_MINUTES,
    Columns,
    FeatureSet,
    OrderFeatures,
    input_columns,
)
from .overlap import noise_weights, own_overlaps
from .table import TARGETS

POST_HORIZON_DAYS = 30.0 / SESSION_MINUTES
MIN_FIT_ROWS = 30
# Prior on the permanent coefficient γ: Almgren, Thum, Hauptmann and Li (2005)
# estimate 0.314 on US equities; the spread is wide enough for data to overrule it.
GAMMA_PRIOR_MEAN = 0.314
GAMMA_PRIOR_SD = 0.3


@dataclass(frozen=True)
class Inputs:
    sigma: np.ndarray  # σ20, fraction per day
    size: np.ndarray  # X / ADV20
    days: np.ndarray  # duration in trading days
    fill: np.ndarray  # X / Q
    spread_aggressive: np.ndarray
    spread_passive: np.ndarray
    known: np.ndarray = field(repr=False)  # rows with a measured σ20

    @property
    def rate(self) -> np.ndarray:
        return self.size / self.days

    @property
    def weight(self) -> np.ndarray:
        return 1.0 / (self.sigma * 1e4 * np.sqrt(self.days + POST_HORIZON_DAYS))


def inputs(raw: Columns, sigma_fill: float) -> Inputs:
    """Baseline inputs; a missing σ20 takes ``sigma_fill`` (and is not fitted on)."""
    session = np.nan_to_num(raw["session_minutes"], nan=SESSION_MINUTES) * 60.0
    duration = np.nan_to_num(raw["duration_s"], nan=MIN_DURATION_S)
    sigma = raw["volatility"]
    known = np.isfinite(sigma) & (sigma > 0)
    spread = np.nan_to_num(raw["arrival_spread_bps"])
    passive = np.clip(np.nan_to_num(raw["passive_share"]), 0, 1)
    fill = np.clip(np.nan_to_num(raw["fill_rate"], nan=1.0), 0, 1)
    return Inputs(
        sigma=np.where(known, sigma, sigma_fill),
        size=np.clip(raw["size_adv"], 1e-7, None),
        days=np.maximum(duration, MIN_DURATION_S) / session,
        fill=fill,
        spread_aggressive=spread * (1 - passive) * fill,
        spread_passive=spread * passive * fill,
        known=known,
    )


def _median_sigma(table: pl.DataFrame) -> float:
    known = table["volatility"].drop_nulls()
    if known.len() < MIN_FIT_ROWS:
        raise ValueError(f"need {MIN_FIT_ROWS} orders with a measured σ20, got {known.len()}")
    return float(known.median())  # type: ignore[arg-type]


def _target(table: pl.DataFrame, name: str) -> np.ndarray:
    return table[name].to_numpy().astype(float)


def _overlaps(table: pl.DataFrame) -> np.ndarray:
    """Our other orders live in each order's window (zeros if the table cannot tell)."""
    if not {"symbol", "trade_date", "arrival_time", "duration_s"} <= set(table.columns):
        return np.zeros(table.height, dtype=np.int64)
    return own_overlaps(table, post_horizon_s=POST_HORIZON_DAYS * SESSION_MINUTES * 60.0)


def _robust_se(jac: np.ndarray, resid: np.ndarray) -> np.ndarray:
    """Heteroskedasticity-robust (HC0) standard errors of a least-squares fit."""
    bread = np.linalg.pinv(jac.T @ jac)
    meat = (jac * resid[:, None] ** 2).T @ jac
    return np.sqrt(np.clip(np.diag(bread @ meat @ bread), 0.0, None))


class SqrtLaw:
    """cost_bps = Y·σ·√(X/ADV)·fill, Y by least squares for each target."""

    kind = "sqrt"

    def _basis(self, x: Inputs) -> np.ndarray:
        return x.sigma * 1e4 * np.sqrt(x.size) * x.fill

    def fit(self, table: pl.DataFrame, features: OrderFeatures | None = None) -> SqrtLaw:
        self.sigma_fill_ = _median_sigma(table)
        x = inputs(input_columns(table), self.sigma_fill_)
        f = self._basis(x)[x.known]
        self.y_ = {t: float(f @ _target(table, t)[x.known] / (f @ f)) for t in TARGETS}
        return self

    def predict(self, features: FeatureSet) -> dict[str, np.ndarray]:
        f = self._basis(inputs(features.inputs, self.sigma_fill_))
        return {t: y * f for t, y in self.y_.items()}

    def parameters(self) -> dict[str, Any]:
        return {f"Y_{t.removesuffix('_bps')}": y for t, y in self.y_.items()}


class AlmgrenForm:
    """Permanent γ·σ·X/V, temporary η·σ·|X/(V·T)|^β, adverse selection a·σ, spread."""

    kind = "almgren"

    def __init__(self, beta_bounds: tuple[float, float] = (0.05, 1.5)) -> None:
        self.beta_bounds = beta_bounds

    def fit(self, table: pl.DataFrame, features: OrderFeatures | None = None) -> AlmgrenForm:
        self.sigma_fill_ = _median_sigma(table)
        x = inputs(input_columns(table), self.sigma_fill_)
        clipped = (
            table["post_clipped"].fill_null(False).to_numpy()
            if "post_clipped" in table.columns
            else np.zeros(table.height, dtype=bool)
        )
        k = x.known & ~clipped
        if k.sum() < MIN_FIT_ROWS:
            raise ValueError(f"need {MIN_FIT_ROWS} orders with a full post horizon, got {k.sum()}")
        w = x.weight[k]
        persistent = _target(table, "permanent_bps")[k]
        total = _target(table, "total_bps")[k]
        spread_cost = np.nan_to_num(_target(table, "spread_cost_bps")[k])
        overlaps = _overlaps(table)[k]

        # Persistent move: linear in (γ, a), weighted least squares, then again with
        # an extra variance per overlap class (see overlap.py).
        sig = x.sigma[k] * 1e4
        design = np.c_[sig * x.size[k] * x.fill[k], sig * x.fill[k]]

        def persistent_fit(weights: np.ndarray) -> np.ndarray:
            # γ ≥ 0: a negative permanent impact is noise, never a price our orders moved back.
            bounds = ([0.0, -np.inf], [np.inf, np.inf])
            a, b = design * weights[:, None], persistent * weights
            free = lsq_linear(a, b, bounds=bounds).x
            # A weak normal prior on γ (the published estimate): the persistent move of
            # small orders is mostly noise, and without it γ sits on its bound at 0 on
            # a month of data. One extra row, scaled by the residual noise, is the MAP.
            noise = float(np.sqrt(np.mean((b - a @ free) ** 2)))
            prior_row = np.array([[noise / GAMMA_PRIOR_SD, 0.0]])
            prior_target = np.array([noise * GAMMA_PRIOR_MEAN / GAMMA_PRIOR_SD])
            return lsq_linear(
                np.vstack([a, prior_row]), np.concatenate([b, prior_target]), bounds=bounds
            ).x

        first = persistent_fit(w)
        w_perm = noise_weights(overlaps, persistent - design @ first, w)
        gamma, adverse = persistent_fit(w_perm)
        se_perm = _robust_se(
            design * w_perm[:, None], (persistent - design @ [gamma, adverse]) * w_perm
        )

        # Realised temporary cost J − I/2: nonlinear in (η, β), reweighted the same way.
        h = total - spread_cost - persistent / 2
        base, rate = sig * x.fill[k], x.rate[k]
        lo, hi = self.beta_bounds

        def temporary_fit(weights: np.ndarray, start: list[float]) -> Any:
            def resid(p: np.ndarray) -> np.ndarray:
                return (p[0] * base * rate ** p[1] - h) * weights

            return least_squares(resid, start, bounds=([0.0, lo], [np.inf, hi]))

        fit = temporary_fit(w, [0.1, 0.5])
        fit = temporary_fit(noise_weights(overlaps, fit.fun / w, w), list(fit.x))
        eta, beta = fit.x
        se_temp = _robust_se(fit.jac, fit.fun)

        # Spread paid: aggressive fills pay about half the quoted spread, passive ones earn it.
        # (a cut post horizon does not change the spread paid: every order with σ20 counts)
        sp = np.c_[x.spread_aggressive[x.known], x.spread_passive[x.known]]
        spread_known = np.nan_to_num(_target(table, "spread_cost_bps")[x.known])
        self.spread_coef_ = np.linalg.lstsq(sp, spread_known, rcond=None)[0]
        self.params_ = {
            "gamma": float(gamma),
            "eta": float(eta),
            "beta": float(beta),
            "adverse": float(adverse),
            "spread_aggressive": float(self.spread_coef_[0]),
            "spread_passive": float(self.spread_coef_[1]),
        }
        self.standard_errors_ = {
            "gamma": float(se_perm[0]),
            "adverse": float(se_perm[1]),
            "eta": float(se_temp[0]),
            "beta": float(se_temp[1]),
        }
        self.n_fit_ = int(k.sum())
        return self

    def predict(self, features: FeatureSet) -> dict[str, np.ndarray]:
        x = inputs(features.inputs, self.sigma_fill_)
        p = self.params_
        sig = x.sigma * 1e4
        persistent = (p["gamma"] * x.size + p["adverse"]) * sig * x.fill
        temporary = p["eta"] * sig * x.rate ** p["beta"] * x.fill
        spread = (
            p["spread_aggressive"] * x.spread_aggressive + p["spread_passive"] * x.spread_passive
        )
        return {
            "temporary_bps": temporary - persistent / 2,
            "permanent_bps": persistent,
            "total_bps": spread + temporary + persistent / 2,
        }

    def permanent_frac(self, sigma: np.ndarray, size: np.ndarray) -> np.ndarray:
        """Î_perm / price = γ·σ·X/ADV, the TCA engine's permanent-impact estimate."""
        return self.params_["gamma"] * sigma * size

    def parameters(self) -> dict[str, Any]:
        return {**self.params_, "standard_errors": self.standard_errors_, "n_fit": self.n_fit_}
