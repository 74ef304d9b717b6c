"""Residual monitoring of the cost champion, run on a schedule (django-celery-beat).

It looks at the champion's live predictions of the latest trade dates and
raises a breach when any of these crosses its configured threshold:
- bias: |mean residual| above ``monitor_bias_bps`` and ``monitor_bias_z``
  standard errors (a small sample cannot trigger it by chance);
- error: MAE above ``monitor_mae_ratio`` × the MAE the version had on its
  held-out window;
- drift: the population stability index of a watched input above
  ``monitor_psi`` against the version's training distribution.
A breach queues a retrain, unless one is already queued or running.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from tca.jobs.models import Job

from .conf import models_conf
from .impact.metrics import grouped_errors, jsonable, psi
from .impact.model import DRIFT_FEATURES
from .models import ModelVersion, MonitoringRun, OrderPrediction
from .selectors import champion_get


def _recent(version: ModelVersion, days: int) -> pl.DataFrame:
    qs = OrderPrediction.objects.filter(
        model_version=version,
        source=OrderPrediction.Source.LIVE,
        residual_bps__isnull=False,
    )
    dates = sorted(set(qs.values_list("trade_date", flat=True)))[-days:]
    rows = list(
        qs.filter(trade_date__in=dates).values(
            "trade_date", "regime", "size_bucket", "residual_bps", "inputs"
        )
    )
    if not rows:
        return pl.DataFrame()
    return pl.DataFrame(
        [
            {**{k: r[k] for k in ("trade_date", "regime", "size_bucket", "residual_bps")},
             **{f: (r["inputs"] or {}).get(f) for f in DRIFT_FEATURES}}
            for r in rows
        ]
    )  # fmt: skip


def _verdict(frame: pl.DataFrame, version: ModelVersion) -> tuple[dict[str, Any], list[str]]:
    conf = models_conf()
    res = frame["residual_bps"].to_numpy().astype(float)
    n = res.size
    bias, mae = float(res.mean()), float(np.abs(res).mean())
    se = float(res.std(ddof=1) / math.sqrt(n)) if n > 1 else math.inf
    drift = {
        f: psi(version.metrics["reference"][f], frame[f].cast(pl.Float64).to_numpy())
        for f in DRIFT_FEATURES
        if f in version.metrics.get("reference", {}) and frame[f].null_count() < n
    }
    holdout_mae = version.metrics.get("holdout", {}).get("total_bps", {}).get("mae")
    metrics = {
        "n": n,
        "bias_bps": bias,
        "bias_se_bps": se,
        "mae_bps": mae,
        "holdout_mae_bps": holdout_mae,
        "by_regime": grouped_errors(frame, "regime"),
        "by_size_bucket": grouped_errors(frame, "size_bucket"),
        "psi": drift,
    }
    reasons = []
    if n < conf.monitor_min_orders:
        return metrics, reasons
    if abs(bias) > conf.monitor_bias_bps and abs(bias) > conf.monitor_bias_z * se:
        reasons.append(f"bias {bias:+.1f} bps ({abs(bias) / se:.1f} standard errors)")
    if holdout_mae and mae > conf.monitor_mae_ratio * holdout_mae:
        reasons.append(f"MAE {mae:.1f} bps vs {holdout_mae:.1f} bps on its holdout")
    for name, value in drift.items():
        if math.isfinite(value) and value > conf.monitor_psi:
            reasons.append(f"input drift: {name} PSI {value:.2f}")
    return metrics, reasons


def _training_pending() -> bool:
    return Job.objects.filter(
        kind=Job.Kind.TRAINING, status__in=(Job.Status.PENDING, Job.Status.RUNNING)
    ).exists()


def residuals_monitor() -> MonitoringRun:
    """Check the cost champion's recent residuals; queue a retrain on a breach."""
    from .training import models_retrain_submit

    conf = models_conf()
    champion = champion_get()
    if champion is None:
        return MonitoringRun.objects.create(reasons=["no champion yet"])
    frame = _recent(champion, conf.monitor_window_days)
    if frame.height == 0:
        return MonitoringRun.objects.create(model_version=champion, reasons=["no residuals yet"])
    metrics, reasons = _verdict(frame, champion)
    run = MonitoringRun.objects.create(
        model_version=champion,
        window_start=frame["trade_date"].min(),
        window_end=frame["trade_date"].max(),
        n_orders=frame.height,
        bias_bps=metrics["bias_bps"],
        mae_bps=metrics["mae_bps"],
        metrics=jsonable(metrics),
        breached=bool(reasons),
        reasons=reasons,
    )
    if reasons and not _training_pending():
        job = models_retrain_submit(
            user=None, reason=f"monitoring run {run.pk}: " + "; ".join(reasons)
        )
        run.job = job
        run.save(update_fields=["job"])
    return run
