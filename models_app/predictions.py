"""Predictions stored with orders, and their residuals once the costs are known."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from tca.orders.models import ParentOrder

from .conf import models_conf
from .impact.model import DRIFT_FEATURES
from .impact.table import TARGETS, TOTAL
from .loading import order_table
from .models import ModelVersion, OrderPrediction
from .selectors import champion_get
from .store import model_load


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def predictions_write(
    *, predictions: pl.DataFrame, version: ModelVersion, source: str, table: pl.DataFrame
) -> int:
    """Store predictions (with ``train_end``) for orders that have none; never replaces one.

    ``table`` is the order table the predictions were made from (for the
    order keys, the size bucket and the realised cost behind the residual).
    """
    if predictions.height == 0:
        return 0
    keys = table.select("order_id", "order_pk", "trade_date", "size_bucket", TOTAL)
    joined = predictions.join(keys, on="order_id", suffix="_realized")
    now = timezone.now()
    rows = []
    for rec in joined.iter_rows(named=True):
        realized = _finite(rec[f"{TOTAL}_realized"])
        rows.append(
            OrderPrediction(
                order_id=rec["order_pk"],
                model_version=version,
                source=source,
                trained_through=rec["train_end"],
                trade_date=rec["trade_date"],
                regime=rec["regime"] or "",
                size_bucket=rec["size_bucket"] or "",
                **{t: float(rec[t]) for t in TARGETS},
                q05_bps=float(rec["q05_bps"]),
                q50_bps=float(rec["q50_bps"]),
                q95_bps=float(rec["q95_bps"]),
                std_bps=float(rec["std_bps"]),
                p_exceed=float(rec["p_exceed"]),
                threshold_bps=float(rec["threshold_bps"]),
                inputs={k: _finite(rec.get(k)) for k in DRIFT_FEATURES},
                realized_bps=realized,
                residual_bps=realized - float(rec[TOTAL]) if realized is not None else None,
                residual_at=now if realized is not None else None,
            )
        )
    before = OrderPrediction.objects.filter(order_id__in=[r.order_id for r in rows]).count()
    OrderPrediction.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    after = OrderPrediction.objects.filter(order_id__in=[r.order_id for r in rows]).count()
    return after - before


def predictions_update_residuals(*, order_ids: Iterable[str]) -> dict[str, int]:
    """After TCA: refresh the residuals of these orders, predicting those that have none.

    A missing prediction is made by the cost champion only when it was trained
    on data ending before the order's trade date (no look-ahead); older orders
    wait for the walk-forward predictions of the next training run.
    """
    pks = list(
        ParentOrder.objects.filter(order_id__in=list(order_ids)).values_list("pk", flat=True)
    )
    table = order_table(order_pks=pks)
    if table.height == 0:
        return {"updated": 0, "created": 0, "skipped": 0}
    realized = {pk: _finite(v) for pk, v in table.select("order_pk", TOTAL).iter_rows()}
    now = timezone.now()
    existing = list(OrderPrediction.objects.filter(order_id__in=list(realized)))
    for pred in existing:
        pred.realized_bps = realized[pred.order_id]
        pred.residual_bps = (
            pred.realized_bps - pred.total_bps if pred.realized_bps is not None else None
        )
        pred.residual_at = now if pred.realized_bps is not None else None
    with transaction.atomic():
        OrderPrediction.objects.bulk_update(
            existing, ["realized_bps", "residual_bps", "residual_at"], batch_size=2000
        )
    have = {p.order_id for p in existing}
    missing = table.filter(~pl.col("order_pk").is_in(list(have)))
    created = 0
    champion = champion_get()
    if champion is not None and missing.height:
        eligible = missing.filter(pl.col("trade_date") > champion.train_end)
        model = model_load(version=champion)
        preds = model.predict(eligible, models_conf().threshold_bps, with_inputs=True)
        preds = preds.with_columns(pl.lit(champion.train_end, pl.Date).alias("train_end"))
        created = predictions_write(
            predictions=preds,
            version=champion,
            source=OrderPrediction.Source.LIVE,
            table=eligible,
        )
    return {"updated": len(existing), "created": created, "skipped": missing.height - created}


def predictions_update_for_dates(*, dates: Iterable[dt.date]) -> dict[str, int]:
    """``predictions_update_residuals`` for every order of these trade dates."""
    ids = ParentOrder.objects.filter(trade_date__in=list(dates)).values_list("order_id", flat=True)
    return predictions_update_residuals(order_ids=list(ids))
