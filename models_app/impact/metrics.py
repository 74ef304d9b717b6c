"""Out-of-sample scores: MAE, RMSE, R², bias, interval coverage, lift, drift.

Bias is the mean residual, realised minus predicted (the sign of the stored
residuals): positive means the model under-predicts cost.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import polars as pl

from .table import TARGETS, TOTAL


def regression_metrics(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    ok = np.isfinite(actual) & np.isfinite(predicted)
    a, p = actual[ok], predicted[ok]
    if a.size == 0:
        return {"n": 0}
    r = a - p
    ss_tot = float(((a - a.mean()) ** 2).sum())
    return {
        "n": int(a.size),
        "mae": float(np.abs(r).mean()),
        "rmse": float(np.sqrt((r**2).mean())),
        "r2": float(1 - (r**2).sum() / ss_tot) if ss_tot > 0 else float("nan"),
        "bias": float(r.mean()),
    }


def coverage(actual: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> dict[str, float]:
    ok = np.isfinite(actual) & np.isfinite(lo) & np.isfinite(hi)
    inside = (actual[ok] >= lo[ok]) & (actual[ok] <= hi[ok])
    return {
        "coverage_90": float(inside.mean()) if ok.any() else float("nan"),
        "mean_width_bps": float((hi[ok] - lo[ok]).mean()) if ok.any() else float("nan"),
    }


def evaluate(
    predictions: pl.DataFrame,
    table: pl.DataFrame,
    *,
    baseline: pl.DataFrame | None = None,
    reference: str | None = None,
) -> dict[str, Any]:
    """Scores of ``predictions`` against the realised targets of ``table``.

    ``baseline`` (predictions of the square-root law on the same orders) adds the
    lift ``1 − MAE/MAE_baseline``; ``reference`` names a column of ``table``
    holding the true expected total cost (the simulator's), scored as well.
    """
    cols = ["order_id", *TARGETS, *([reference] if reference else [])]
    joined = predictions.join(table.select(cols), on="order_id", suffix="_actual")
    out: dict[str, Any] = {}
    for t in TARGETS:
        out[t] = regression_metrics(
            joined[f"{t}_actual"].to_numpy().astype(float), joined[t].to_numpy().astype(float)
        )
    if "q05_bps" in joined.columns:
        out[TOTAL] |= coverage(
            joined[f"{TOTAL}_actual"].to_numpy().astype(float),
            joined["q05_bps"].to_numpy().astype(float),
            joined["q95_bps"].to_numpy().astype(float),
        )
    if reference:
        out["expected_total"] = regression_metrics(
            joined[reference].to_numpy().astype(float), joined[TOTAL].to_numpy().astype(float)
        )
    if baseline is not None and baseline.height:
        base = baseline.select("order_id", pl.col(TOTAL).alias("_base")).join(joined, on="order_id")
        actual = base[f"{TOTAL}_actual"].to_numpy().astype(float)
        ours = regression_metrics(actual, base[TOTAL].to_numpy().astype(float))
        theirs = regression_metrics(actual, base["_base"].to_numpy().astype(float))
        out["lift_over_sqrt"] = _lift(ours, theirs)
        if reference:
            truth = base[reference].to_numpy().astype(float)
            out["lift_over_sqrt_expected"] = _lift(
                regression_metrics(truth, base[TOTAL].to_numpy().astype(float)),
                regression_metrics(truth, base["_base"].to_numpy().astype(float)),
            )
    return out


def _lift(ours: dict[str, float], theirs: dict[str, float]) -> float:
    if not theirs.get("mae"):
        return float("nan")
    return 1.0 - ours["mae"] / theirs["mae"]


def grouped_errors(residuals: pl.DataFrame, by: str) -> list[dict[str, Any]]:
    """n, bias and MAE of ``residual_bps`` per value of ``by``."""
    return (
        residuals.filter(pl.col("residual_bps").is_not_null())
        .group_by(pl.col(by).fill_null("unknown"))
        .agg(
            pl.len().alias("n"),
            pl.col("residual_bps").mean().alias("bias"),
            pl.col("residual_bps").abs().mean().alias("mae"),
        )
        .sort(by)
        .to_dicts()
    )


def psi(reference: dict[str, list[float]], values: np.ndarray, floor: float = 1e-4) -> float:
    """Population stability index of ``values`` against reference bins."""
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan")
    edges = np.asarray(reference["edges"])
    expected = np.clip(np.asarray(reference["fractions"]), floor, None)
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=edges.size + 1)
    actual = np.clip(counts / values.size, floor, None)
    return float(((actual - expected) * np.log(actual / expected)).sum())


def jsonable(value: Any) -> Any:
    """Metrics as JSON: dates as ISO text, NaN and infinities as null."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item"):  # numpy scalars
        return jsonable(value.item())
    return value
