"""Alternative-data signals as order-table columns, as of each order's arrival.

A signal is a time series per (symbol, name) of values that became known at
their ``time`` (a news sentiment score, an on-chain net flow), positive meaning
the price should rise. An order sees, for each configured name, the last value
published strictly before its arrival and no older than ``max_age``; nothing
at or after the arrival can reach it, so neither a prediction nor a model
trained on earlier orders ever uses a value from its own future.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

PREFIX = "signal:"


def signal_column(name: str) -> str:
    """The order-table column holding signal ``name`` as of arrival."""
    return f"{PREFIX}{name}"


def signal_names(columns: Sequence[str]) -> list[str]:
    return [c.removeprefix(PREFIX) for c in columns if c.startswith(PREFIX)]


def signals_asof(
    orders: pl.DataFrame,
    signals: pl.DataFrame,
    names: Sequence[str],
    *,
    max_age: dt.timedelta | None = None,
) -> pl.DataFrame:
    """``order_id`` and one Float64 column per name (null when nothing qualifies).

    ``orders`` needs order_id, symbol, arrival_time; ``signals`` the SIGNALS_SCHEMA
    columns (symbol, time, name, value).
    """
    left = orders.select("order_id", "symbol", "arrival_time").sort("symbol", "arrival_time")
    out = left.select("order_id")
    for name in names:
        series = (
            signals.filter(pl.col("name") == name)
            .select("symbol", "time", "value")
            .sort("symbol", "time")
        )
        joined = left.join_asof(
            series,
            left_on="arrival_time",
            right_on="time",
            by="symbol",
            strategy="backward",
            allow_exact_matches=False,  # strictly before the arrival
            tolerance=max_age,
            check_sortedness=False,
        )
        out = out.with_columns(joined["value"].cast(pl.Float64).alias(signal_column(name)))
    return out
