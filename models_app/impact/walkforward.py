"""Walk-forward validation: fit on every day before a block, predict the block, move on.

Time is never shuffled: each block of ``test_days`` trade dates is predicted by
a model fitted only on orders of earlier dates, which is also how historical
orders get the prediction "made" for them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from .model import ImpactModel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fold:
    train_end: dt.date  # last trade date the model saw
    test_dates: tuple[dt.date, ...]


def folds(dates: list[dt.date], *, min_train_days: int, test_days: int) -> list[Fold]:
    days = sorted(set(dates))
    return [
        Fold(train_end=days[i - 1], test_dates=tuple(days[i : i + test_days]))
        for i in range(min_train_days, len(days), test_days)
    ]


def walk_forward(
    table: pl.DataFrame,
    kind: str,
    hyperparameters: dict[str, Any] | None = None,
    *,
    min_train_days: int,
    test_days: int,
    threshold_bps: float = 10.0,
    progress: Callable[[int, int], None] | None = None,
) -> pl.DataFrame:
    """Out-of-sample predictions (PREDICTION_COLUMNS + ``train_end``) for each fold."""
    plan = folds(table["trade_date"].to_list(), min_train_days=min_train_days, test_days=test_days)
    parts = []
    for i, fold in enumerate(plan):
        past = table.filter(pl.col("trade_date") <= fold.train_end)
        block = table.filter(pl.col("trade_date").is_in(fold.test_dates))
        try:
            model = ImpactModel(kind, hyperparameters).fit(past)
        except ValueError as exc:  # too little history yet for this fold
            log.info("walk-forward %s: fold ending %s skipped (%s)", kind, fold.train_end, exc)
            continue
        preds = model.predict(block, threshold_bps, with_inputs=True)
        parts.append(preds.with_columns(pl.lit(fold.train_end).alias("train_end")))
        if progress:
            progress(i + 1, len(plan))
    if not parts:
        return pl.DataFrame()
    return pl.concat(parts)
